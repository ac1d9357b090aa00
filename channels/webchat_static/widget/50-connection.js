/* --- 50 connection: the WebSocket, its protocol frames (see the README) and reconnects --- */
function socketUrl() {
  const src = new URL(script && script.src ? script.src : '/chat/widget.js', location.href);
  let path = src.pathname.replace(/widget\.js$/, 'ws');
  if (!/\/ws$/.test(path)) path = '/chat/ws';
  return (src.protocol === 'https:' ? 'wss://' : 'ws://') + src.host + path;
}
const WS_URL = socketUrl();

let ws = null;          // current socket (connecting or open)
let ready = false;      // welcome received on the current socket
let halted = false;     // closed by the server with 4xxx (not 4408): no reconnects
let retryDelay = 1000;
let retryTimer = null;
let queue = [];         // frames typed while not connected

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
    sock.send(JSON.stringify({ type: 'hello', token: stored(TOKEN_KEY) || null, lang: visitorLang, page: location.href }));
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
    // Closed on purpose by the server: show why; only the idle timeout (4408) resumes on the next action.
    setTyping(false);
    addMessage({ from: 'system', text: ev.reason || (code === 4408 ? t.idle : t.closed) }, true);
    if (code !== 4408) {
      halted = true;
      queue = [];
      setQuick([]);
      input.disabled = true;
      sendBtn.disabled = true;
      attachBtn.disabled = true;
    }
    return;
  }
  if (code === 1000) return; // normal close: reconnect on the next user action
  offline = true;
  renderHeader();
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

function sendCustomer(frame, text) {
  addMessage({ from: 'customer', text: text, state: 'sending', clientId: frame.id }, true);
  setQuick([]);
  sendFrame(frame);
}

function sendButton(b) {
  if (halted) return;
  const titleText = String(b.title);
  sendCustomer({ type: 'button', id: newId(), payload: b.payload != null ? String(b.payload) : titleText,
    title: titleText }, titleText);
}

function welcome(m) {
  if (typeof m.token === 'string' && m.token) stored(TOKEN_KEY, m.token);
  ready = true;
  offline = false;
  retryDelay = 1000;
  setChatLang(m.lang);
  agentName = m.agent ? String(m.agent) : '';
  waitingForAgent = !!m.human && !agentName;
  setLimits(m.attachment_limits);
  list.textContent = '';
  const history = Array.isArray(m.history) ? m.history.filter((h) => h && typeof h === 'object') : [];
  let last = null;
  history.forEach((h) => { last = addMessage(Object.assign({}, h, { state: h.seen ? 'seen' : 'sent' }), true); });
  const lastFrame = history[history.length - 1];
  if (!history.length && m.greeting && typeof m.greeting === 'object') {
    last = addMessage({ from: 'bot', text: m.greeting.text, lang: m.greeting.lang }, true);
    setQuick(m.greeting.buttons, last);
  } else {
    setQuick(lastFrame && (lastFrame.from === 'bot' || lastFrame.from === 'agent') ? lastFrame.buttons : [], last);
  }
  applyLabels();
  // Re-show and send what was typed while disconnected (the history replay cleared it).
  const pending = queue;
  queue = [];
  pending.forEach((f) => {
    addMessage({ from: 'customer', text: f.type === 'button' ? f.title : f.text, state: 'sending', clientId: f.id }, true);
    sendFrame(f);
  });
  if (pending.length) setQuick([]);
  setTyping(false);
}

/** A reply gives the chat's language and whether a person answers now: the labels and the
 * header follow (waiting, agent, assistant). */
function whoAnswers(m) {
  if ((m.from === 'bot' || m.from === 'agent') && supported(m.lang)) setChatLang(m.lang);
  if (typeof m.human !== 'boolean') return applyLabels();
  if (m.from === 'agent' && m.agent) agentName = String(m.agent);
  if (!m.human) agentName = '';
  waitingForAgent = m.human && !agentName;
  applyLabels(); // the header and the labels, in the chat's language
}

function handle(m) {
  switch (m.type) {
    case 'welcome':
      welcome(m);
      break;
    case 'message': {
      setTyping(false);
      whoAnswers(m);
      const msg = addMessage(m);
      setQuick(m.buttons, msg);
      break;
    }
    case 'ack':
      setState(mine[m.id], 'sent');
      break;
    case 'seen':
      list.querySelectorAll('.sbw-from-customer').forEach((msg) => setState(msg, 'seen'));
      break;
    case 'typing':
      setTyping(!!m.on, m.who, m.name ? String(m.name) : '');
      break;
    case 'agent_joined':
      setTyping(false);
      agentName = String(m.name || '') || t.agent;
      waitingForAgent = false;
      // `announced`: the server also sent the announcement as a message of the history.
      if (!m.announced) addMessage({ from: 'system', text: fill(t.joined, { name: agentName }) });
      renderHeader();
      break;
    case 'agent_left':
      setTyping(false);
      agentName = '';
      waitingForAgent = false;
      if (!m.announced) addMessage({ from: 'system', text: t.left });
      renderHeader();
      break;
    case 'error':
      setTyping(false);
      addMessage({ from: 'system', text: m.message || m.code || t.error }, true).classList.add('sbw-error');
      break;
    default:
      break; // unknown frame types are ignored
  }
}

/* --- start --- */
if (document.body) build();
else document.addEventListener('DOMContentLoaded', build);
