/* --- 40 view: the launcher, the dialog and what is shown in it --- */
let root, launcher, badge, panel, titleEl, subtitle, headerAvatar, soundBtn, closeBtn, list,
  typing, typingWho, quick, form, tools, input, sendBtn;
let unread = 0;
let soundOn = (stored(SOUND_KEY) || data.sound || 'off') === 'on';
let agentName = '';     // the person answering, '' while the assistant does
let waitingForAgent = false;
let offline = false;
let typingTimer = null;
let audio = null;
const mine = {};        // client frame id -> the customer's message element

function build() {
  if (document.getElementById('sbw-root')) return false;
  const style = el('style', { id: 'sbw-style' });
  style.textContent = CSS;
  document.head.appendChild(style);

  root = el('div', { id: 'sbw-root' });
  launcher = el('button', { id: 'sbw-launcher', class: 'sbw-launcher', type: 'button',
    'aria-expanded': 'false', 'aria-controls': 'sbw-panel' });
  launcher.innerHTML = ICON_CHAT;
  badge = el('span', { class: 'sbw-badge', 'aria-hidden': 'true' });
  badge.hidden = true;
  launcher.appendChild(badge);

  panel = el('div', { id: 'sbw-panel', class: 'sbw-panel', role: 'dialog', 'aria-labelledby': 'sbw-title',
    'aria-describedby': 'sbw-subtitle' });
  panel.hidden = true;
  const header = el('div', { class: 'sbw-header' });
  headerAvatar = el('span', { class: 'sbw-avatar', 'aria-hidden': 'true' });
  headerAvatar.hidden = true;
  const heading = el('div', { class: 'sbw-heading' });
  titleEl = el('h2', { id: 'sbw-title', class: 'sbw-title' }, title);
  subtitle = el('div', { id: 'sbw-subtitle', class: 'sbw-subtitle', 'aria-live': 'polite' });
  heading.appendChild(titleEl);
  heading.appendChild(subtitle);
  soundBtn = el('button', { id: 'sbw-sound', class: 'sbw-hbtn', type: 'button' });
  closeBtn = el('button', { id: 'sbw-close', class: 'sbw-hbtn', type: 'button' }, '×');
  [headerAvatar, heading, soundBtn, closeBtn].forEach((n) => header.appendChild(n));

  list = el('div', { id: 'sbw-messages', class: 'sbw-messages', role: 'log', 'aria-live': 'polite', tabindex: '0' });
  typing = el('div', { id: 'sbw-typing', class: 'sbw-typing', role: 'status' });
  for (let i = 0; i < 3; i++) typing.appendChild(el('span', { class: 'sbw-dot', 'aria-hidden': 'true' }));
  typingWho = el('span', { class: 'sbw-typing-who' });
  typing.appendChild(typingWho);
  typing.hidden = true;
  quick = el('div', { id: 'sbw-quick', class: 'sbw-quick', role: 'group' });
  quick.hidden = true;

  // The composer: `tools` holds the attach button (45-files.js).
  form = el('form', { class: 'sbw-form', autocomplete: 'off' });
  tools = el('div', { id: 'sbw-tools', class: 'sbw-tools' });
  input = el('input', { id: 'sbw-input', class: 'sbw-input', type: 'text', maxlength: '2000' });
  sendBtn = el('button', { id: 'sbw-send', class: 'sbw-send', type: 'submit' });
  [tools, input, sendBtn].forEach((n) => form.appendChild(n));

  [header, list, typing, quick, form].forEach((n) => panel.appendChild(n));
  buildFiles();
  root.appendChild(panel);
  root.appendChild(launcher);
  document.body.appendChild(root);

  launcher.addEventListener('click', () => (panel.hidden ? openPanel() : closePanel()));
  closeBtn.addEventListener('click', closePanel);
  soundBtn.addEventListener('click', () => { soundOn = !soundOn; stored(SOUND_KEY, soundOn ? 'on' : 'off'); applyLabels(); });
  root.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !panel.hidden) closePanel(); });
  input.addEventListener('focus', connect);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || halted) return;
    input.value = '';
    sendCustomer({ type: 'message', id: newId(), text: text }, text);
  });
  applyLabels();
  return true;
}

/** Every label of the widget, in the chat's language. */
function applyLabels() {
  root.setAttribute('lang', chatLang);
  const open = !panel.hidden;
  let label = open ? t.close : t.launcher;
  if (!open && unread) label += ', ' + (unread === 1 ? t.unreadOne : fill(t.unread, { count: unread }));
  launcher.setAttribute('aria-label', label);
  closeBtn.setAttribute('aria-label', t.close);
  soundBtn.innerHTML = soundOn ? ICON_SOUND : ICON_MUTED;
  soundBtn.setAttribute('aria-label', t.sound);
  soundBtn.setAttribute('title', soundOn ? t.soundOn : t.soundOff);
  soundBtn.setAttribute('aria-pressed', soundOn ? 'true' : 'false');
  list.setAttribute('aria-label', t.messages);
  quick.setAttribute('aria-label', t.quick);
  input.setAttribute('placeholder', t.placeholder);
  input.setAttribute('aria-label', t.placeholder);
  sendBtn.textContent = t.send;
  applyFileLabels();
  renderHeader();
  Object.keys(mine).forEach((id) => renderState(mine[id]));
}

function renderHeader() {
  const who = offline ? t.reconnecting : (agentName || (waitingForAgent ? t.waiting : t.assistant));
  subtitle.textContent = who;
  subtitle.setAttribute('aria-label', offline ? who : t.talkingTo + ' ' + who);
  headerAvatar.hidden = !agentName;
  headerAvatar.textContent = initials(agentName);
}

function openPanel() {
  panel.hidden = false;
  root.classList.add('sbw-open');
  launcher.setAttribute('aria-expanded', 'true');
  unread = 0;
  badge.hidden = true;
  applyLabels();
  connect();
  scrollDown();
  input.focus();
}
function closePanel() {
  panel.hidden = true;
  root.classList.remove('sbw-open');
  launcher.setAttribute('aria-expanded', 'false');
  applyLabels();
  launcher.focus();
}

function scrollDown() { list.scrollTop = list.scrollHeight; }

/** Scroll so that `msg` (the question the quick replies answer) is in view, its top first. */
function reveal(msg) {
  const top = msg.offsetTop - list.offsetTop - 8;
  const bottom = top + msg.offsetHeight + 16;
  list.scrollTop = bottom - top > list.clientHeight ? top : Math.max(0, bottom - list.clientHeight);
}

function authorOf(from, agent) {
  return { customer: t.you, bot: t.assistant, agent: agent || t.agent, system: t.system }[from];
}

/** Add a message: author (for screen readers, and visibly with avatar for agents), body,
 * time and, for the customer's own messages, the delivery state. */
function addMessage(m, quiet) {
  const from = FROM.indexOf(m.from) >= 0 ? m.from : 'system';
  const agent = from === 'agent' ? String(m.agent || agentName || '') : '';
  const msg = el('div', { class: 'sbw-msg sbw-from-' + from, lang: supported(m.lang) || chatLang });
  if (from === 'agent') msg.appendChild(el('span', { class: 'sbw-avatar', 'aria-hidden': 'true' }, initials(agent || t.agent)));
  const content = el('div', { class: 'sbw-content' });
  const body = el('div', { class: 'sbw-body' });
  body.appendChild(el('span', { class: 'sbw-sr' }, authorOf(from, agent) + ': '));
  const text = el('span', { class: 'sbw-text' });
  if (from === 'customer') text.textContent = m.text == null ? '' : String(m.text);
  else renderRich(text, m.text);
  body.appendChild(text);
  renderFiles(body, m.files);
  content.appendChild(body);
  const meta = el('div', { class: 'sbw-meta' });
  if (from === 'agent' && agent) meta.appendChild(el('span', { class: 'sbw-author' }, agent + ' · '));
  const at = m.at ? new Date(m.at) : new Date();
  if (!isNaN(at.getTime())) meta.appendChild(el('time', { datetime: at.toISOString() }, formatTime(at)));
  content.appendChild(meta);
  msg.appendChild(content);
  if (from === 'customer') {
    msg.dataset.state = m.state || 'sent';
    meta.appendChild(el('span', { class: 'sbw-state' }));
    renderState(msg);
    if (m.clientId) mine[m.clientId] = msg;
  }
  list.appendChild(msg);
  scrollDown();
  if (!quiet && from !== 'customer') notify();
  return msg;
}

function renderState(msg) {
  const state = msg.querySelector('.sbw-state');
  if (state) state.textContent = ' · ' + t[msg.dataset.state];
}
function setState(msg, state) {
  if (!msg || msg.dataset.state === 'seen') return;
  msg.dataset.state = state;
  renderState(msg);
}

/** A reply arrived: count it on the launcher while closed and chime when asked to. */
function notify() {
  if (panel.hidden) {
    unread += 1;
    badge.textContent = unread > 9 ? '9+' : String(unread);
    badge.hidden = false;
    applyLabels();
  }
  if (soundOn && (panel.hidden || document.hidden)) chime();
}
function chime() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch (e) { /* no audio here */ }
}

function setQuick(buttons, question) {
  quick.textContent = '';
  (Array.isArray(buttons) ? buttons : []).forEach((b) => {
    if (!b || b.title == null) return;
    const btn = el('button', { type: 'button', class: 'sbw-quick-btn' }, b.title);
    btn.addEventListener('click', () => sendButton(b));
    quick.appendChild(btn);
  });
  quick.hidden = !quick.firstChild;
  if (!quick.hidden && question) reveal(question);
}

/** Typing dots while the assistant or an agent types; they hide by themselves when no stop
 * comes (the assistant after 30 s, an agent 8 s after the last start). */
function setTyping(on, who, name) {
  clearTimeout(typingTimer);
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  typing.hidden = !on;
  if (!on) return;
  typingWho.textContent = who === 'agent' && name ? fill(t.agentTyping, { name: name }) : t.typing;
  typingTimer = setTimeout(() => { typing.hidden = true; }, who === 'agent' ? 8000 : 30000);
  if (atBottom) scrollDown();
}
