/* What the customer's chat learns from the console: while the agent writes a reply (not a
 * note) on a ticket they hold, that they are typing (repeated every few seconds, stopped
 * after a pause, on sending or when another ticket is opened); and, while the page is
 * in view, up to which customer message the agent has seen. */
(function () {
  'use strict';
  const SB = window.SB;
  const conv = SB.conversation;
  const box = document.getElementById('composer-text');
  const REPEAT_MS = 3000;
  const PAUSE_MS = 4000;
  let typingFor = null; let lastSent = 0; let pause = null;

  function send(ticketId, on) { SB.send({ type: 'typing', ticket_id: Number(ticketId), on: on }); }
  function stop() {
    clearTimeout(pause);
    if (typingFor !== null) send(typingFor, false);
    typingFor = null;
  }
  SB.typing = { stop: stop };

  const seenUpTo = {};
  /** Tell the chat how far the agent has read the open conversation (page in view). */
  SB.seen = function () {
    const data = conv.data;
    if (!data || !conv.mine() || document.visibilityState !== 'visible') return;
    const last = data.messages.filter((m) => m.sender === 'customer').pop();
    if (!last || (seenUpTo[data.id] || 0) >= last.id) return;
    if (SB.send({ type: 'seen', ticket_id: Number(data.id), message_id: last.id })) seenUpTo[data.id] = last.id;
  };
  document.addEventListener('visibilitychange', SB.seen);
  box.addEventListener('input', () => {
    if (!conv.mine() || document.getElementById('mode-note').checked || !box.value.trim()) { stop(); return; }
    if (typingFor !== null && typingFor !== conv.id) stop();
    const now = Date.now();
    if (typingFor === null || now - lastSent > REPEAT_MS) { send(conv.id, true); lastSent = now; typingFor = conv.id; }
    clearTimeout(pause);
    pause = setTimeout(stop, PAUSE_MS);
  });
  box.addEventListener('blur', stop);
  document.getElementById('mode-note').addEventListener('change', stop);
  window.addEventListener('beforeunload', stop);
})();
