/* The queue pane: open and claimed tickets in policy order, each with the customer, a
 * preview of the last message, how long it has waited and the SLA countdown. */
(function () {
  'use strict';
  const SB = window.SB;
  const list = document.getElementById('queue-list');
  const alertBox = document.getElementById('alert');
  const queue = SB.queue = { tickets: [], offset: 0, selected: null, onOpen: null };

  queue.load = async function () {
    const data = await SB.get('/console/api/queue');
    queue.offset = Date.parse(data.now) - Date.now();
    queue.tickets = data.tickets;
    render();
  };
  queue.select = function (id) {
    queue.selected = id ? String(id) : null;
    list.querySelectorAll('li[data-ticket]').forEach((li) => {
      const on = li.dataset.ticket === queue.selected;
      li.classList.toggle('selected', on);
      const link = li.querySelector('a.open');
      if (on) link.setAttribute('aria-current', 'true'); else link.removeAttribute('aria-current');
    });
  };
  /** The ticket after the open one in queue order (the first when none is open). */
  queue.next = function () {
    if (!queue.tickets.length) return null;
    const at = queue.tickets.findIndex((t) => String(t.id) === queue.selected);
    return queue.tickets[(at + 1) % queue.tickets.length].id;
  };
  /** An alert at the top of the queue; it goes after a minute or when clicked. */
  queue.alert = function (text) {
    alertBox.textContent = text; alertBox.hidden = false;
    clearTimeout(queue.alertTimer);
    queue.alertTimer = setTimeout(() => { alertBox.hidden = true; }, 60000);
  };
  alertBox.addEventListener('click', () => { alertBox.hidden = true; });

  function render() {
    list.textContent = '';
    if (!queue.tickets.length) { list.appendChild(SB.el('li', { class: 'empty' }, SB.t('The queue is empty.'))); return; }
    queue.tickets.forEach((t) => list.appendChild(item(t)));
    queue.select(queue.selected);
    tick();
  }
  function item(t) {
    const li = SB.el('li', { class: 'queue-item', 'data-ticket': String(t.id), 'data-due': t.due_at || '', 'data-created': t.created_at });
    const link = SB.el('a', { href: '/console/tickets/' + t.id, class: 'open' });
    link.appendChild(SB.el('span', { class: 'customer' }, t.customer || t.channel));
    link.appendChild(SB.el('span', { class: 'reference' }, t.reference));
    link.addEventListener('click', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault(); if (queue.onOpen) queue.onOpen(t.id);
    });
    li.appendChild(link);
    const meta = SB.el('div', { class: 'meta' });
    meta.appendChild(SB.el('span', { class: 'badge' }, SB.t(t.kind)));
    if (t.intent) meta.appendChild(SB.el('span', { class: 'intent' }, t.intent));
    meta.appendChild(SB.el('span', {}, t.channel + (t.language ? ' · ' + t.language : '') + (t.team ? ' · ' + t.team : '')));
    li.appendChild(meta);
    if (t.preview) {
      const who = t.preview_sender === 'customer' ? '' : SB.t(t.preview_sender === 'agent' ? 'Agent' : t.preview_sender === 'bot' ? 'Bot' : 'System') + ': ';
      li.appendChild(SB.el('p', { class: 'preview' }, who + t.preview));
    }
    const times = SB.el('div', { class: 'times' });
    times.appendChild(SB.el('span', { class: 'waiting', title: SB.t('Waiting') }));
    times.appendChild(SB.el('span', { class: 'due', title: SB.t('Due in') }));
    li.appendChild(times);
    const foot = SB.el('div', { class: 'holder' });
    if (t.assigned_to) {
      foot.appendChild(SB.el('span', { class: 'agent' }, SB.t('with {name}', { name: t.assigned_to })));
    } else {
      const claim = SB.el('button', { type: 'button', class: 'claim small', 'aria-label': SB.t('Claim {ticket}', { ticket: t.reference }) }, SB.t('Claim'));
      claim.addEventListener('click', async () => {
        try { await SB.post('/console/api/tickets/' + t.id + '/claim'); if (queue.onOpen) queue.onOpen(t.id); } catch (e) { queue.alert(e.message); }
        queue.load();
      });
      foot.appendChild(claim);
    }
    li.appendChild(foot);
    return li;
  }
  function tick() {
    const now = Date.now() + queue.offset;
    list.querySelectorAll('li[data-ticket]').forEach((li) => {
      li.querySelector('.waiting').textContent = SB.t('waiting {time}', { time: SB.duration(now - Date.parse(li.dataset.created)) });
      const due = li.dataset.due ? Date.parse(li.dataset.due) : null;
      li.querySelector('.due').textContent = due ? SB.t('due in {time}', { time: SB.duration(due - now) }) : '';
      li.classList.toggle('breached', due !== null && due < now);
    });
  }
  function concernsMe(event) {
    if (event.assigned_to) return event.assigned_to === SB.me.username;
    if (!SB.me.available) return false;
    return !event.team || !SB.me.teams.length || SB.me.teams.indexOf(event.team) >= 0;
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
  queue.onEvent = function (event) {
    if (event.type === 'ticket_created' && concernsMe(event)) {
      const where = event.team ? ' (' + event.team + ')' : '';
      queue.alert((event.assigned_to ? SB.t('Assigned to you:') : SB.t('New handoff:')) + ' ' + (event.ticket || '') + where);
      beep();
      if ('Notification' in window && Notification.permission === 'granted') {
        new Notification(SB.t('supportbot: new handoff'), { body: String(event.ticket || '') });
      }
      document.title = '(!) ' + document.title.replace(/^\(!\) /, '');
    }
    if (event.type !== 'typing') queue.load();
  };
  document.getElementById('enable-alerts').addEventListener('click', () => {
    if ('Notification' in window) Notification.requestPermission();
  });
  setInterval(tick, 1000);
})();
