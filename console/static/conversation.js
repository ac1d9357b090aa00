/* The conversation pane: the transcript with notes inline, kept at the newest message
 * unless the agent has scrolled up (then a "new messages" marker), and the composer at
 * the bottom (reply or internal note, files with a reply, canned replies, Ctrl+Enter
 * sends). What a message holds besides text is drawn by attachments.js. */
(function () {
  'use strict';
  const SB = window.SB;
  const list = document.getElementById('transcript');
  const marker = document.getElementById('new-messages');
  const composer = document.getElementById('composer');
  const box = document.getElementById('composer-text');
  const canned = document.getElementById('canned');
  const statusBox = document.getElementById('action-status');
  const errorBox = document.getElementById('action-error');
  const conv = SB.conversation = { id: null, data: null, onChange: null };
  let shown = new Set();
  let cannedLanguage = null;
  let sending = false;

  conv.ok = function (text) {
    errorBox.hidden = true; statusBox.textContent = text; statusBox.hidden = false;
    clearTimeout(conv.okTimer); conv.okTimer = setTimeout(() => { statusBox.hidden = true; }, 4000);
  };
  conv.fail = function (e) { statusBox.hidden = true; errorBox.textContent = e.message; errorBox.hidden = false; };
  /** Run an action on the open ticket; on success show `done` and refresh. */
  conv.act = async function (name, body, done) {
    errorBox.hidden = true;
    try {
      await SB.post('/console/api/tickets/' + conv.id + '/' + name, body);
      if (done) conv.ok(done);
      await conv.reload(true);
      return true;
    } catch (e) { conv.fail(e); return false; }
  };
  conv.open = async function (id) {
    if (String(id) !== String(conv.id)) {
      if (SB.typing) SB.typing.stop();
      conv.id = String(id); shown = new Set(); list.textContent = '';
      statusBox.hidden = true; errorBox.hidden = true; marker.hidden = true; box.value = '';
      SB.upload.reset();
    }
    document.getElementById('no-ticket').hidden = true;
    document.getElementById('conversation').hidden = false;
    await conv.reload(true);
  };
  conv.reload = async function (stickToEnd) {
    if (!conv.id) return;
    const id = conv.id;
    const data = await SB.get('/console/api/tickets/' + id);
    if (id !== conv.id) return;
    conv.data = data;
    head(data);
    render(data, stickToEnd);
    mode(data);
    loadCanned(data.language || 'en');
    if (conv.onChange) conv.onChange(data);
  };
  conv.mine = function () {
    return conv.data && conv.data.status === 'claimed' && conv.data.assigned_to === SB.me.username;
  };

  function head(data) {
    document.getElementById('conversation-title').textContent = data.reference + ' · ' + ((data.customer && data.customer.label) || '');
    document.getElementById('ticket-kind').textContent = SB.t(data.kind);
    const team = document.getElementById('ticket-team');
    team.textContent = data.team || ''; team.hidden = !data.team;
    document.getElementById('ticket-status').textContent = SB.t(data.status) + (data.assigned_to ? ' · ' + data.assigned_to : '');
    document.getElementById('ticket-subject').textContent = data.subject || '';
  }
  function entries(data) {
    const items = data.messages.map((m) => ({ key: 'm' + m.id, at: m.at, message: m }));
    data.notes.forEach((n) => items.push({ key: 'n' + n.id, at: n.at, note: n }));
    return items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
  function render(data, stickToEnd) {
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    let added = 0;
    entries(data).forEach((entry) => {
      if (shown.has(entry.key)) return;
      shown.add(entry.key); added += 1;
      list.appendChild(entry.note ? noteItem(entry.note) : messageItem(entry.message));
    });
    if (stickToEnd || atEnd) { list.scrollTop = list.scrollHeight; marker.hidden = true; }
    else if (added) marker.hidden = false;
  }
  function author(m) {
    if (m.sender === 'customer') return SB.t('Customer');
    if (m.sender === 'agent') return m.agent || SB.t('Agent');
    if (m.sender === 'bot') return SB.t('Bot');
    return SB.t('System');
  }
  function messageItem(m) {
    const li = SB.el('li', { class: 'msg from-' + m.sender });
    const meta = SB.el('div', { class: 'meta' });
    meta.appendChild(SB.el('span', { class: 'author' }, author(m)));
    meta.appendChild(SB.el('time', { datetime: m.at, title: SB.dateTime(m.at) }, SB.time(m.at)));
    if (m.intent) meta.appendChild(SB.el('span', { class: 'intent' }, m.intent + (m.confidence != null ? ' ' + new Intl.NumberFormat(SB.locale, { maximumFractionDigits: 2 }).format(m.confidence) : '')));
    const edited = SB.attachments.edited(m);
    if (edited) meta.appendChild(edited);
    li.appendChild(meta);
    if (m.text) li.appendChild(SB.el('div', { class: 'text' }, m.text));
    SB.attachments.nodes(m).forEach((node) => li.appendChild(node));
    if (m.original && m.original.trim() !== (m.text || '').trim()) {
      // A mail: the text above is the newest part; the whole mail as the customer sent it.
      const whole = SB.el('details', { class: 'original' });
      whole.appendChild(SB.el('summary', {}, SB.t('Whole original mail')));
      whole.appendChild(SB.el('pre', {}, m.original));
      li.appendChild(whole);
    }
    if (m.failed) {
      li.appendChild(SB.el('div', { class: 'delivery-failed', role: 'note' },
        SB.t('Not delivered: {reason}', { reason: m.failed })));
    }
    return li;
  }
  function noteItem(n) {
    const li = SB.el('li', { class: 'msg note' });
    const meta = SB.el('div', { class: 'meta' });
    meta.appendChild(SB.el('span', { class: 'author' }, SB.t('Internal note by {name}', { name: n.author })));
    meta.appendChild(SB.el('time', { datetime: n.at, title: SB.dateTime(n.at) }, SB.time(n.at)));
    li.appendChild(meta);
    li.appendChild(SB.el('div', { class: 'text' }, n.text));
    return li;
  }
  function mode(data) {
    const closed = data.status === 'closed';
    composer.hidden = closed;
    document.getElementById('read-only').hidden = !closed;
    const replyRadio = document.getElementById('mode-reply');
    replyRadio.disabled = !conv.mine();
    if (!conv.mine()) document.getElementById('mode-note').checked = true;
    else if (!conv.noteChosen) replyRadio.checked = true;
    placeholder();
  }
  function noting() { return document.getElementById('mode-note').checked; }
  function placeholder() {
    composer.classList.toggle('noting', noting());
    box.placeholder = noting() ? SB.t('Internal note: colleagues only, never sent to the customer')
      : SB.t('Reply to the customer on {channel}', { channel: (conv.data && conv.data.channel) || '' });
    document.getElementById('send').textContent = noting() ? SB.t('Add note') : SB.t('Send');
    SB.upload.enable(!noting());
  }
  /** While files go up and the reply is sent: no second send, and the composer says so. */
  function busy(on) {
    sending = on;
    composer.setAttribute('aria-busy', on ? 'true' : 'false');
    document.getElementById('send').disabled = on;
  }
  composer.addEventListener('change', (ev) => {
    if (ev.target.name === 'mode') { conv.noteChosen = noting(); placeholder(); }
  });
  composer.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (sending) return;
    const note = noting();
    busy(true);
    try {
      // Files go up first (checked and stored by the server), then the reply names them.
      const body = note ? { text: box.value } : { text: box.value, files: await SB.upload.files() };
      if (await conv.act(note ? 'note' : 'reply', body, note ? SB.t('Note saved') : SB.t('Sent'))) {
        box.value = '';
        if (!note) SB.upload.reset();
        if (SB.typing) SB.typing.stop();
      }
    } catch (e) {
      conv.fail(e);
    } finally {
      busy(false);
    }
  });
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); composer.requestSubmit(); }
  });
  list.addEventListener('scroll', () => {
    if (list.scrollHeight - list.scrollTop - list.clientHeight < 48) marker.hidden = true;
  });
  marker.addEventListener('click', () => { list.scrollTop = list.scrollHeight; marker.hidden = true; box.focus(); });

  async function loadCanned(lang) {
    if (cannedLanguage === lang) return;
    cannedLanguage = lang;
    const data = await SB.get('/console/api/canned?lang=' + encodeURIComponent(lang));
    canned.textContent = '';
    canned.appendChild(SB.el('option', { value: '' }, '—'));
    data.replies.forEach((r) => canned.appendChild(SB.el('option', { value: r.text }, r.title)));
  }
  canned.addEventListener('change', () => {
    if (!canned.value) return;
    box.value = box.value ? box.value + '\n' + canned.value : canned.value;
    canned.value = ''; box.focus();
  });
})();
