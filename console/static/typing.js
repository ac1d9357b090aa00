/* Agent typing, shown to the customer: while the agent writes a reply (not a note) on a
 * ticket they hold, the console says so over the WebSocket every few seconds, and stops
 * after a pause, on sending or when another ticket is opened. */
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
