/* supportbot console: live queue with SLA countdowns, and the conversation view.
 * Every text from customers is set with textContent, never as HTML. */
(function () {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const page = document.body.dataset.page;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, attrs[k]));
    if (text != null) e.textContent = String(text);
    return e;
  }
  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body || {})
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || ('HTTP ' + response.status));
    return data;
  }
  function duration(ms) {
    const negative = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const text = (h ? h + 'h ' : '') + String(m).padStart(2, '0') + 'm ' + String(s).padStart(2, '0') + 's';
    return negative ? '-' + text : text;
  }
  function live(onEvent) {
    const status = document.getElementById('live-status');
    let delay = 1000;
    function connect() {
      const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/console/ws');
      ws.onopen = () => { delay = 1000; if (status) { status.textContent = 'live'; status.className = 'badge ok'; } };
      ws.onmessage = (ev) => { try { onEvent(JSON.parse(ev.data)); } catch (e) { /* ignore */ } };
      ws.onclose = () => {
        if (status) { status.textContent = 'reconnecting…'; status.className = 'badge'; }
        setTimeout(connect, delay); delay = Math.min(delay * 2, 15000);
      };
    }
    connect();
  }
  function beep() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator(); const gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio */ }
  }

  // --- availability (top bar), and who I am for alerts ---
  const me = { username: null, available: false, teams: [] };
  const availabilityButton = document.getElementById('availability');
  function showAvailability(data) {
    Object.assign(me, data);
    if (!availabilityButton) return;
    availabilityButton.textContent = me.available ? 'Available' : 'Away';
    availabilityButton.setAttribute('aria-pressed', me.available ? 'true' : 'false');
    availabilityButton.classList.toggle('on', me.available);
  }
  if (availabilityButton) {
    fetch('/console/api/me/availability', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null)).then((data) => { if (data) showAvailability(data); });
    availabilityButton.addEventListener('click', () => {
      post('/console/api/me/availability', { available: !me.available })
        .then(showAvailability).catch((e) => { availabilityButton.title = e.message; });
    });
  }
  function concernsMe(event) {
    if (event.assigned_to) return event.assigned_to === me.username;
    if (!me.available) return false;
    return !event.team || !me.teams.length || me.teams.indexOf(event.team) >= 0;
  }

  // --- queue ---
  function initQueue() {
    const rows = document.getElementById('queue-rows');
    const alertBox = document.getElementById('alert');
    let tickets = []; let offset = 0;
    async function load() {
      const response = await fetch('/console/api/queue', { credentials: 'same-origin' });
      if (response.status === 401) { location.href = '/console/login?next=/console'; return; }
      const data = await response.json();
      offset = Date.parse(data.now) - Date.now();
      tickets = data.tickets;
      render();
    }
    function render() {
      rows.textContent = '';
      if (!tickets.length) { rows.appendChild(el('tr', {}, null)).appendChild(el('td', { colspan: '11' }, 'The queue is empty.')); return; }
      tickets.forEach((t) => {
        const tr = el('tr', { 'data-ticket': String(t.id), 'data-due': t.due_at || '' , 'data-created': t.created_at });
        const link = el('a', { href: '/console/tickets/' + t.id }, t.reference);
        const first = el('td'); first.appendChild(link); tr.appendChild(first);
        [t.kind, t.channel, t.language || '—', t.customer, t.intent || '—', t.team || '—'].forEach((v) => tr.appendChild(el('td', {}, v)));
        tr.appendChild(el('td', { class: 'waiting' }, ''));
        tr.appendChild(el('td', { class: 'due' }, ''));
        tr.appendChild(el('td', { class: 'agent' }, t.assigned_to || '—'));
        const action = el('td');
        if (!t.assigned_to) {
          const claim = el('button', { type: 'button', class: 'claim' }, 'Claim');
          claim.addEventListener('click', async () => {
            try { await post('/console/api/tickets/' + t.id + '/claim'); location.href = '/console/tickets/' + t.id; }
            catch (e) { show(e.message); load(); }
          });
          action.appendChild(claim);
        }
        tr.appendChild(action);
        rows.appendChild(tr);
      });
      tick();
    }
    function tick() {
      const now = Date.now() + offset;
      rows.querySelectorAll('tr[data-ticket]').forEach((tr) => {
        tr.querySelector('.waiting').textContent = duration(now - Date.parse(tr.dataset.created));
        const due = tr.dataset.due ? Date.parse(tr.dataset.due) : null;
        tr.querySelector('.due').textContent = due ? duration(due - now) : '—';
        tr.classList.toggle('breached', due !== null && due < now);
      });
    }
    function show(text) { alertBox.textContent = text; alertBox.hidden = false; }
    document.getElementById('enable-alerts').addEventListener('click', () => {
      if ('Notification' in window) Notification.requestPermission();
    });
    live((event) => {
      if (event.type === 'ticket_created' && concernsMe(event)) {
        const where = event.team ? ' (' + event.team + ')' : '';
        show((event.assigned_to ? 'Assigned to you: ' : 'New handoff: ') + (event.ticket || 'a new ticket') + where);
        beep();
        if ('Notification' in window && Notification.permission === 'granted') {
          new Notification('supportbot: new handoff', { body: String(event.ticket || '') });
        }
        document.title = '(!) Queue · supportbot';
      }
      load();
    });
    load();
    setInterval(tick, 1000);
  }

  // --- conversation ---
  function initTicket() {
    const id = document.body.dataset.ticket;
    const list = document.getElementById('transcript');
    const notes = document.getElementById('notes');
    const errorBox = document.getElementById('action-error');
    const statusBadge = document.getElementById('ticket-status');
    function fail(e) { errorBox.textContent = e.message; errorBox.hidden = false; }
    function attachmentView(a) {
      // A stored file plays or shows inline for the agent (voice notes, photos); others are links.
      const box = el('div', { class: 'attachment' }, a.kind + (a.name ? ' ' + a.name : '') + (a.duration ? ' (' + a.duration + ' s)' : ''));
      if (!a.url) return box;
      const mime = a.mime_type || '';
      if (mime.startsWith('audio/')) box.appendChild(el('audio', { controls: '', preload: 'none', src: a.url }));
      else if (mime.startsWith('video/')) box.appendChild(el('video', { controls: '', preload: 'none', src: a.url }));
      else if (mime.startsWith('image/') && mime !== 'image/svg+xml') box.appendChild(el('img', { src: a.url, alt: a.kind, class: 'thumb' }));
      box.appendChild(el('a', { href: a.url, target: '_blank', rel: 'noopener noreferrer' }, ' download'));
      return box;
    }

    async function load() {
      const response = await fetch('/console/api/tickets/' + id, { credentials: 'same-origin' });
      const data = await response.json();
      statusBadge.textContent = data.status + (data.assigned_to ? ' · ' + data.assigned_to : '') + ' · ' + (data.mode || '');
      list.textContent = '';
      data.messages.forEach((m) => {
        const li = el('li', { class: 'msg from-' + m.sender });
        const meta = el('div', { class: 'meta' }, (m.agent || m.sender) + ' · ' + new Date(m.at).toLocaleTimeString());
        if (m.intent) meta.appendChild(el('span', { class: 'intent' }, ' ' + m.intent + ' ' + (m.confidence != null ? m.confidence.toFixed(2) : '')));
        li.appendChild(meta);
        li.appendChild(el('div', { class: 'text' }, m.text));
        if (m.summary) li.appendChild(el('div', { class: 'summary' }, m.summary));
        if (m.map_url) {
          const map = el('a', { href: m.map_url, target: '_blank', rel: 'noopener noreferrer' }, 'Open map');
          li.appendChild(map);
        }
        (m.attachments || []).forEach((a) => li.appendChild(attachmentView(a)));
        list.appendChild(li);
      });
      notes.textContent = '';
      data.notes.forEach((n) => notes.appendChild(el('li', {}, n.author + ': ' + n.text)));
      const mine = data.status === 'claimed';
      document.getElementById('claim').hidden = data.status !== 'open';
      document.getElementById('send-reply').disabled = !mine;
      document.getElementById('close-ticket').disabled = !mine;
      document.getElementById('handback').disabled = !mine || data.mode !== 'human';
      loadCanned(data.language || document.body.dataset.language || 'en');
    }
    let cannedLoaded = false;
    async function loadCanned(lang) {
      if (cannedLoaded) return; cannedLoaded = true;
      const response = await fetch('/console/api/canned?lang=' + encodeURIComponent(lang), { credentials: 'same-origin' });
      if (!response.ok) return;
      const select = document.getElementById('canned');
      (await response.json()).replies.forEach((r) => {
        const option = el('option', { value: r.text }, r.title);
        select.appendChild(option);
      });
      select.addEventListener('change', () => { if (select.value) document.getElementById('reply-text').value = select.value; });
    }
    function act(name, body) {
      errorBox.hidden = true;
      return post('/console/api/tickets/' + id + '/' + name, body).then(load).catch(fail);
    }
    document.getElementById('claim').addEventListener('click', () => act('claim'));
    document.getElementById('handback').addEventListener('click', () => act('handback'));
    document.getElementById('reply-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const box = document.getElementById('reply-text');
      const picker = document.getElementById('reply-file');
      const file = picker.files && picker.files[0];
      const send = (files) => act('reply', { text: box.value, files: files }).then(() => { box.value = ''; picker.value = ''; });
      if (!file) { send([]); return; }
      // The file goes up first (raw body, checked and stored by the server), then the reply names it.
      fetch('/console/api/files?name=' + encodeURIComponent(file.name), {
        method: 'POST', credentials: 'same-origin', body: file,
        headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrf }
      }).then(async (response) => {
        if (!response.ok) throw new Error(await response.text());
        return response.json();
      }).then((stored) => send([{ file: stored.file, name: stored.name }])).catch(fail);
    });
    document.getElementById('note-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const box = document.getElementById('note-text');
      act('note', { text: box.value }).then(() => { box.value = ''; });
    });
    document.getElementById('transfer-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const agent = document.getElementById('transfer-agent').value;
      const team = document.getElementById('transfer-team').value;
      const note = document.getElementById('transfer-note');
      const body = { note: note.value };
      if (agent) body.agent = agent; else body.team = team;
      act('transfer', body).then(() => { note.value = ''; });
    });
    document.getElementById('close-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      act('close', { resolution: document.getElementById('resolution').value });
    });
    live(() => load());
    load();
  }

  if (page === 'queue') initQueue();
  if (page === 'ticket') initTicket();
})();
