/* supportbot live-chat widget.
 * Embed: <script src="https://HOST/chat/widget.js" data-title="Support" data-lang="auto"></script>
 * Plain ES2018, no dependencies, no external requests. All message text (server or user)
 * is rendered with textContent, never as HTML. */
(function () {
  'use strict';
  if (window.__sbwLoaded) return;
  window.__sbwLoaded = true;

  const STRINGS = {
    en: {
      launcher: 'Open chat', close: 'Close chat', placeholder: 'Type a message…', send: 'Send',
      assistant: 'Virtual assistant', typing: 'Typing…', quick: 'Quick replies', messages: 'Chat messages',
      reconnecting: 'Reconnecting…', joined: '{name} joined the chat', agent: 'An agent',
      left: "You're talking to our assistant again", closed: 'The chat has been closed.',
      idle: 'The chat was paused because of inactivity.', error: 'Something went wrong.'
    },
    nl: {
      launcher: 'Chat openen', close: 'Chat sluiten', placeholder: 'Typ een bericht…', send: 'Versturen',
      assistant: 'Virtuele assistent', typing: 'Aan het typen…', quick: 'Snelle antwoorden', messages: 'Chatberichten',
      reconnecting: 'Opnieuw verbinden…', joined: '{name} neemt deel aan het gesprek', agent: 'Een medewerker',
      left: 'Je praat weer met onze assistent', closed: 'Het gesprek is gesloten.',
      idle: 'Het gesprek is gepauzeerd wegens inactiviteit.', error: 'Er ging iets mis.'
    },
    de: {
      launcher: 'Chat öffnen', close: 'Chat schließen', placeholder: 'Nachricht eingeben…', send: 'Senden',
      assistant: 'Virtueller Assistent', typing: 'Schreibt…', quick: 'Schnellantworten', messages: 'Chatnachrichten',
      reconnecting: 'Verbindung wird wiederhergestellt…', joined: '{name} ist dem Chat beigetreten', agent: 'Ein Mitarbeiter',
      left: 'Sie sprechen wieder mit unserem Assistenten', closed: 'Der Chat wurde beendet.',
      idle: 'Der Chat wurde wegen Inaktivität pausiert.', error: 'Etwas ist schiefgelaufen.'
    }
  };
  const FROM = ['customer', 'bot', 'agent', 'system'];
  const TOKEN_KEY = 'sbw-token';

  // --- options from our own <script> tag (must be read synchronously) ---
  const script = document.currentScript || Array.from(document.getElementsByTagName('script')).reverse()
    .find((s) => /\/chat\/widget\.js$/.test((s.src || '').split(/[?#]/)[0]));
  const data = (script && script.dataset) || {};
  const title = data.title || 'Support';
  const wanted = String(data.lang || 'auto').toLowerCase();
  const browserLang = String(navigator.language || 'en').slice(0, 2).toLowerCase();
  const lang = STRINGS[wanted] ? wanted : (STRINGS[browserLang] ? browserLang : 'en');
  const t = STRINGS[lang];

  function socketUrl() {
    const src = new URL(script && script.src ? script.src : '/chat/widget.js', location.href);
    let path = src.pathname.replace(/widget\.js$/, 'ws');
    if (!/\/ws$/.test(path)) path = '/chat/ws';
    return (src.protocol === 'https:' ? 'wss://' : 'ws://') + src.host + path;
  }
  const WS_URL = socketUrl();

  // --- small helpers ---
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, attrs[k]));
    if (text != null) e.textContent = String(text);
    return e;
  }
  function newId() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
  }
  function loadToken() {
    try { return localStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }
  function saveToken(v) {
    try { localStorage.setItem(TOKEN_KEY, v); } catch (e) { /* storage unavailable */ }
  }

  const CSS = `
#sbw-root, #sbw-root * { box-sizing: border-box; }
#sbw-root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2937; }
#sbw-root [hidden] { display: none !important; }
#sbw-root button { font: inherit; cursor: pointer; margin: 0; }
#sbw-root .sbw-launcher { position: relative; width: 56px; height: 56px; border: 0; border-radius: 50%; padding: 0;
  background: #2563eb; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; }
#sbw-root .sbw-launcher:hover { background: #1d4ed8; }
#sbw-root .sbw-launcher svg { width: 26px; height: 26px; fill: currentColor; }
#sbw-root .sbw-launcher.sbw-unread::after { content: ""; position: absolute; top: 4px; right: 4px; width: 12px; height: 12px;
  border-radius: 50%; background: #ef4444; border: 2px solid #fff; }
#sbw-root .sbw-panel { position: fixed; right: 20px; bottom: 88px; width: 360px; height: 520px;
  max-height: calc(100vh - 108px); max-width: calc(100vw - 40px); display: flex; flex-direction: column;
  background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; }
#sbw-root .sbw-header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: #2563eb; color: #fff; }
#sbw-root .sbw-heading { flex: 1; min-width: 0; }
#sbw-root .sbw-title { font-weight: 600; font-size: 15px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#sbw-root .sbw-subtitle { font-size: 12px; opacity: .85; }
#sbw-root .sbw-close { width: 32px; height: 32px; border: 0; border-radius: 6px; background: transparent; color: #fff;
  font-size: 22px; line-height: 1; padding: 0; }
#sbw-root .sbw-close:hover { background: rgba(255,255,255,.15); }
#sbw-root .sbw-messages { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; }
#sbw-root .sbw-msg { max-width: 80%; padding: 8px 11px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
#sbw-root .sbw-from-customer { align-self: flex-end; background: #2563eb; color: #fff; border-bottom-right-radius: 4px; }
#sbw-root .sbw-from-bot, #sbw-root .sbw-from-agent { align-self: flex-start; background: #e5e7eb; color: #111827; border-bottom-left-radius: 4px; }
#sbw-root .sbw-from-agent { background: #dcfce7; }
#sbw-root .sbw-from-system { align-self: center; max-width: 90%; padding: 2px 8px; font-size: 12px; color: #6b7280; text-align: center; }
#sbw-root .sbw-typing { display: flex; gap: 4px; padding: 4px 16px 8px; background: #f9fafb; }
#sbw-root .sbw-dot { width: 7px; height: 7px; border-radius: 50%; background: #9ca3af; animation: sbw-blink 1.2s infinite ease-in-out; }
#sbw-root .sbw-dot:nth-child(2) { animation-delay: .2s; }
#sbw-root .sbw-dot:nth-child(3) { animation-delay: .4s; }
@keyframes sbw-blink { 0%, 80%, 100% { opacity: .3; transform: translateY(0); } 40% { opacity: 1; transform: translateY(-3px); } }
#sbw-root .sbw-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#sbw-root .sbw-quick { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 12px; border-top: 1px solid #e5e7eb; }
#sbw-root .sbw-quick-btn { border: 1px solid #2563eb; border-radius: 16px; background: #fff; color: #2563eb; padding: 5px 12px; font-size: 13px; }
#sbw-root .sbw-quick-btn:hover { background: #eff6ff; }
#sbw-root .sbw-form { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #e5e7eb; background: #fff; margin: 0; }
#sbw-root .sbw-input { flex: 1; min-width: 0; border: 1px solid #d1d5db; border-radius: 20px; padding: 8px 14px;
  font: inherit; font-size: 16px; color: inherit; background: #fff; outline: none; }
#sbw-root .sbw-input:focus { border-color: #2563eb; box-shadow: 0 0 0 2px rgba(37,99,235,.2); }
#sbw-root .sbw-send { border: 0; border-radius: 20px; background: #2563eb; color: #fff; padding: 0 16px; font-weight: 600; }
#sbw-root .sbw-send:disabled, #sbw-root .sbw-input:disabled { opacity: .5; cursor: not-allowed; }
#sbw-root button:focus-visible { outline: 2px solid #f59e0b; outline-offset: 2px; }
@media (max-width: 480px) {
  #sbw-root .sbw-panel { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none; border-radius: 0; }
  #sbw-root.sbw-open .sbw-launcher { display: none; }
}
@media (prefers-reduced-motion: reduce) { #sbw-root .sbw-dot { animation: none; } }
`;
  // Static icon markup (a constant, never message content).
  const ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';

  // --- UI elements (filled in by build()) ---
  let root, launcher, panel, subtitle, list, typing, quick, input, sendBtn;

  function build() {
    if (document.getElementById('sbw-root')) return false;
    const style = el('style', { id: 'sbw-style' });
    style.textContent = CSS;
    document.head.appendChild(style);

    root = el('div', { id: 'sbw-root', lang: lang });
    launcher = el('button', {
      id: 'sbw-launcher', class: 'sbw-launcher', type: 'button',
      'aria-label': t.launcher, 'aria-expanded': 'false', 'aria-controls': 'sbw-panel'
    });
    launcher.innerHTML = ICON;

    panel = el('div', { id: 'sbw-panel', class: 'sbw-panel', role: 'dialog', 'aria-label': title });
    panel.hidden = true;
    const header = el('div', { class: 'sbw-header' });
    const heading = el('div', { class: 'sbw-heading' });
    heading.appendChild(el('div', { class: 'sbw-title' }, title));
    subtitle = el('div', { id: 'sbw-subtitle', class: 'sbw-subtitle' }, t.assistant);
    heading.appendChild(subtitle);
    const closeBtn = el('button', { class: 'sbw-close', type: 'button', 'aria-label': t.close }, '×');
    header.appendChild(heading);
    header.appendChild(closeBtn);

    list = el('div', { id: 'sbw-messages', class: 'sbw-messages', role: 'log', 'aria-live': 'polite', 'aria-label': t.messages });
    typing = el('div', { class: 'sbw-typing' });
    for (let i = 0; i < 3; i++) typing.appendChild(el('span', { class: 'sbw-dot', 'aria-hidden': 'true' }));
    typing.appendChild(el('span', { class: 'sbw-sr' }, t.typing));
    typing.hidden = true;
    quick = el('div', { id: 'sbw-quick', class: 'sbw-quick', role: 'group', 'aria-label': t.quick });
    quick.hidden = true;

    const form = el('form', { class: 'sbw-form', autocomplete: 'off' });
    input = el('input', {
      id: 'sbw-input', class: 'sbw-input', type: 'text', maxlength: '2000',
      placeholder: t.placeholder, 'aria-label': t.placeholder
    });
    sendBtn = el('button', { id: 'sbw-send', class: 'sbw-send', type: 'submit', 'aria-label': t.send }, t.send);
    form.appendChild(input);
    form.appendChild(sendBtn);

    [header, list, typing, quick, form].forEach((n) => panel.appendChild(n));
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    launcher.addEventListener('click', () => (panel.hidden ? openPanel() : closePanel()));
    closeBtn.addEventListener('click', closePanel);
    panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') closePanel(); });
    input.addEventListener('focus', connect);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || halted) return;
      input.value = '';
      addMessage('customer', text);
      setQuick([]);
      setTyping(true);
      sendFrame({ type: 'message', id: newId(), text: text });
    });
    return true;
  }

  function openPanel() {
    panel.hidden = false;
    root.classList.add('sbw-open');
    launcher.setAttribute('aria-expanded', 'true');
    launcher.classList.remove('sbw-unread');
    connect();
    scrollDown();
    input.focus();
  }
  function closePanel() {
    panel.hidden = true;
    root.classList.remove('sbw-open');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  // --- rendering ---
  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function addMessage(from, text, at, quiet) {
    if (FROM.indexOf(from) < 0) from = 'system';
    const msg = el('div', { class: 'sbw-msg sbw-from-' + from }, text == null ? '' : text);
    if (at) {
      const d = new Date(at);
      if (!isNaN(d.getTime())) msg.title = d.toLocaleString(lang);
    }
    list.appendChild(msg);
    scrollDown();
    if (!quiet && panel.hidden && from !== 'customer') launcher.classList.add('sbw-unread');
    return msg;
  }

  function setQuick(buttons) {
    quick.textContent = '';
    (Array.isArray(buttons) ? buttons : []).forEach((b) => {
      if (!b || b.title == null) return;
      const btn = el('button', { type: 'button', class: 'sbw-quick-btn' }, b.title);
      btn.addEventListener('click', () => sendButton(b));
      quick.appendChild(btn);
    });
    quick.hidden = !quick.firstChild;
  }

  function setTyping(on) {
    typing.hidden = !on;
    if (on) scrollDown();
  }

  function renderSubtitle() {
    subtitle.textContent = offline ? t.reconnecting : (agentName || t.assistant);
  }

  function sendButton(b) {
    if (halted) return;
    const titleText = String(b.title);
    addMessage('customer', titleText);
    setQuick([]);
    setTyping(true);
    sendFrame({ type: 'button', id: newId(), payload: b.payload != null ? String(b.payload) : titleText, title: titleText });
  }

  // --- connection ---
  let ws = null;          // current socket (connecting or open)
  let ready = false;      // welcome received on current socket
  let halted = false;     // closed by server with 4xxx (not 4408): no reconnects
  let offline = false;    // lost the connection, reconnect pending
  let retryDelay = 1000;
  let retryTimer = null;
  let queue = [];         // frames typed while not connected
  let agentName = '';

  function connect() {
    if (halted || ws || retryTimer) return;
    let sock;
    try {
      sock = new WebSocket(WS_URL);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = sock;
    sock.onopen = () => {
      sock.send(JSON.stringify({ type: 'hello', token: loadToken() || null, lang: lang, page: location.href }));
    };
    sock.onmessage = (ev) => {
      if (sock !== ws) return;
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && typeof m === 'object') handle(m);
    };
    sock.onclose = (ev) => onClose(sock, ev);
  }

  function scheduleReconnect() {
    const delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, 15000);
    retryTimer = setTimeout(() => { retryTimer = null; connect(); }, delay);
  }

  function onClose(sock, ev) {
    if (sock !== ws) return;
    ws = null;
    ready = false;
    const code = ev.code;
    if (code >= 4000 && code <= 4999) {
      // Closed on purpose by the server: show why; only idle timeout (4408) may resume on next user action.
      setTyping(false);
      addMessage('system', ev.reason || (code === 4408 ? t.idle : t.closed));
      if (code !== 4408) {
        halted = true;
        queue = [];
        setQuick([]);
        input.disabled = true;
        sendBtn.disabled = true;
      }
      return;
    }
    if (code === 1000) return; // normal close: reconnect on the next user action
    offline = true;
    renderSubtitle();
    scheduleReconnect();
  }

  function sendFrame(frame) {
    if (ready && ws && ws.readyState === 1) {
      ws.send(JSON.stringify(frame));
    } else {
      queue.push(frame);
      connect();
    }
  }

  function handle(m) {
    switch (m.type) {
      case 'welcome': {
        if (typeof m.token === 'string' && m.token) saveToken(m.token);
        ready = true;
        offline = false;
        retryDelay = 1000;
        list.textContent = '';
        const history = Array.isArray(m.history) ? m.history.filter((h) => h && typeof h === 'object') : [];
        history.forEach((h) => addMessage(h.from, h.text, h.at, true));
        const last = history[history.length - 1];
        setQuick(last && (last.from === 'bot' || last.from === 'agent') ? last.buttons : []);
        if (m.agent) agentName = String(typeof m.agent === 'object' ? m.agent.name || '' : m.agent);
        renderSubtitle();
        // Re-show and send what was typed while disconnected (the history replay cleared it).
        const pending = queue;
        queue = [];
        pending.forEach((f) => {
          addMessage('customer', f.type === 'button' ? f.title : f.text, null, true);
          sendFrame(f);
        });
        if (pending.length) setQuick([]);
        setTyping(pending.length > 0);
        break;
      }
      case 'message':
        setTyping(false);
        addMessage(m.from, m.text, m.at);
        setQuick(m.buttons);
        break;
      case 'typing':
        setTyping(!!m.on);
        break;
      case 'agent_joined':
        setTyping(false);
        agentName = String(m.name || '') || t.agent;
        // `announced`: the server also sent the announcement as a message of the history.
        if (!m.announced) addMessage('system', t.joined.replace('{name}', agentName));
        renderSubtitle();
        break;
      case 'agent_left':
        setTyping(false);
        agentName = '';
        if (!m.announced) addMessage('system', t.left);
        renderSubtitle();
        break;
      case 'error':
        setTyping(false);
        addMessage('system', m.message || m.code || t.error).classList.add('sbw-error');
        break;
      default:
        break; // unknown frame types are ignored
    }
  }

  // --- start ---
  if (document.body) build();
  else document.addEventListener('DOMContentLoaded', build);
})();
