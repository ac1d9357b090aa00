/* supportbot console, shared by every page: DOM helper, JSON calls with the CSRF token,
 * the agent's language (texts, dates, numbers), the live WebSocket and the availability
 * switch. Customer text is always set with textContent, never as HTML. */
(function () {
  'use strict';
  const SB = window.SB = window.SB || {};
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const textNode = document.getElementById('console-text');
  const texts = textNode ? JSON.parse(textNode.textContent || '{}') : {};
  SB.locale = document.documentElement.lang || 'en';

  /** The agent's translation of an English console text; `{name}` placeholders filled. */
  SB.t = function (text, values) {
    let out = texts[text] || text;
    Object.keys(values || {}).forEach((k) => { out = out.split('{' + k + '}').join(String(values[k])); });
    return out;
  };
  /** Plural forms from the catalogue: texts['one|other'] holds [one, other] per locale. */
  SB.tn = function (one, other, n) {
    const forms = texts[one + '|' + other];
    const rule = new Intl.PluralRules(SB.locale).select(n);
    const chosen = forms ? (rule === 'one' ? forms[0] : forms[1]) : (n === 1 ? one : other);
    return chosen.split('{n}').join(new Intl.NumberFormat(SB.locale).format(n));
  };
  // Words the server sends as data (ticket kinds, statuses, contracts, senders), listed
  // here so that the catalogue has them.
  SB.words = [SB.t('handoff'), SB.t('warranty'), SB.t('complaint'), SB.t('callback'),
    SB.t('open'), SB.t('claimed'), SB.t('closed'), SB.t('cancelled'), SB.t('none'),
    SB.t('standard'), SB.t('premium'), SB.t('bot'), SB.t('agent'), SB.t('system')];
  SB.time = function (iso) {
    return new Intl.DateTimeFormat(SB.locale, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  };
  SB.dateTime = function (iso) {
    return new Intl.DateTimeFormat(SB.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  };
  SB.el = function (tag, attrs, text) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, attrs[k]));
    if (text != null) e.textContent = String(text);
    return e;
  };
  SB.post = async function (url, body) {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body || {})
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || ('HTTP ' + response.status));
    return data;
  };
  SB.get = async function (url) {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (response.status === 401) { location.href = '/console/login?next=' + encodeURIComponent(location.pathname); throw new Error('logged out'); }
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  };
  /** A span of time as "1h 05m 09s" (negative when a deadline has passed). */
  SB.duration = function (ms) {
    const negative = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const text = (h ? h + 'h ' : '') + String(m).padStart(2, '0') + 'm ' + String(s).padStart(2, '0') + 's';
    return negative ? '-' + text : text;
  };

  // --- the live connection: one WebSocket per page, many listeners ---
  const listeners = [];
  let socket = null;
  SB.onLive = function (listener) {
    listeners.push(listener);
    if (!socket) connect(1000);
  };
  /** Send an event to the server; false when the connection is not open. */
  SB.send = function (event) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(event));
    return true;
  };
  function connect(delay) {
    const status = document.getElementById('live-status');
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/console/ws');
    socket.onopen = () => {
      delay = 1000;
      if (status) { status.textContent = SB.t('live'); status.className = 'badge ok'; }
      listeners.forEach((l) => l({ type: 'connected' }));  // catch up on what was missed
    };
    socket.onmessage = (ev) => {
      let event; try { event = JSON.parse(ev.data); } catch (e) { return; }
      listeners.forEach((l) => l(event));
    };
    socket.onclose = () => {
      if (status) { status.textContent = SB.t('reconnecting…'); status.className = 'badge'; }
      setTimeout(() => connect(Math.min(delay * 2, 15000)), delay);
    };
  }

  // --- availability (top bar), and who I am for alerts ---
  SB.me = { username: document.body.dataset.agent || null, available: false, teams: [] };
  const button = document.getElementById('availability');
  function showAvailability(data) {
    Object.assign(SB.me, data);
    if (!button) return;
    button.textContent = SB.me.available ? SB.t('Available') : SB.t('Away');
    button.setAttribute('aria-pressed', SB.me.available ? 'true' : 'false');
    button.classList.toggle('on', SB.me.available);
  }
  if (button) {
    SB.get('/console/api/me/availability').then(showAvailability).catch(() => {});
    button.addEventListener('click', () => {
      SB.post('/console/api/me/availability', { available: !SB.me.available })
        .then(showAvailability).catch((e) => { button.title = e.message; });
    });
  }
})();
(function () {
  'use strict';
  const choice = document.getElementById('locale-choice');  // a new language applies at once
  if (choice) choice.addEventListener('change', () => choice.form.requestSubmit());
})();
