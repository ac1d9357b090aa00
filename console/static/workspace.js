/* The workspace page: ties the queue, conversation and details panes together, keeps the
 * address bar on the open ticket (history, no reloads), follows live events and handles
 * the keyboard shortcuts (Alt+C claim, Alt+N next ticket, Alt+R canned reply). */
(function () {
  'use strict';
  const SB = window.SB;
  const queue = SB.queue;
  const conv = SB.conversation;

  function open(id, push) {
    queue.select(id);
    if (push !== false && location.pathname !== '/console/tickets/' + id) {
      history.pushState({ ticket: String(id) }, '', '/console/tickets/' + id);
    }
    return conv.open(id).catch((e) => conv.fail(e));
  }
  queue.onOpen = open;
  SB.details.onOpen = open;
  conv.onChange = (data) => {
    SB.details.render(data);
    SB.seen();
    document.title = data.reference + ' · supportbot';
  };
  window.addEventListener('popstate', () => {
    const found = location.pathname.match(/^\/console\/tickets\/(\d+)$/);
    if (found) open(found[1], false);
  });

  SB.onLive((event) => {
    queue.onEvent(event);
    if (event.type === 'typing') return;
    if (conv.id) conv.reload(false).catch(() => {});
  });

  document.addEventListener('keydown', (ev) => {
    if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.code === 'KeyC') {
      ev.preventDefault();
      SB.details.claim();
    } else if (ev.code === 'KeyN') {
      ev.preventDefault();
      const next = queue.next();
      if (next != null) open(next);
    } else if (ev.code === 'KeyR') {
      ev.preventDefault();
      const canned = document.getElementById('canned');
      if (!document.getElementById('composer').hidden) canned.focus();
    }
  });

  queue.load().catch(() => {});
  const first = document.body.dataset.ticket;
  if (first) open(first, false);
})();
