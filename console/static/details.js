/* The details pane: the customer, their earlier tickets and the actions on the open
 * ticket (claim, hand back, transfer, close). A closed ticket offers none of them. */
(function () {
  'use strict';
  const SB = window.SB;
  const conv = SB.conversation;
  const details = SB.details = {};

  details.render = function (data) {
    document.getElementById('details').hidden = false;
    const closed = data.status === 'closed';
    const mine = conv.mine();
    document.getElementById('claim').hidden = data.status !== 'open' || !!data.assigned_to;
    document.getElementById('handback').hidden = !mine || data.mode !== 'human';
    document.getElementById('transfer-box').hidden = closed || (data.status === 'claimed' && !mine);
    document.getElementById('close-box').hidden = !mine;
    customer(data.customer);
    earlier(data.earlier);
    targets(data);
  };

  function customer(c) {
    const dl = document.getElementById('customer-details');
    dl.textContent = '';
    if (!c) return;
    [[SB.t('Name'), c.name], [SB.t('Channel'), c.channel + ' · ' + c.handle], [SB.t('Language'), c.language],
      [SB.t('Phone'), c.phone], [SB.t('E-mail'), c.email], [SB.t('Contract'), SB.t(c.contract)]].forEach((row) => {
      dl.appendChild(SB.el('dt', {}, row[0]));
      dl.appendChild(SB.el('dd', {}, row[1] || '—'));
    });
  }
  function earlier(rows) {
    const ul = document.getElementById('earlier');
    ul.textContent = '';
    if (!rows.length) { ul.appendChild(SB.el('li', {}, SB.t('none'))); return; }
    rows.forEach((t) => {
      const li = SB.el('li');
      const link = SB.el('a', { href: '/console/tickets/' + t.id }, t.reference);
      link.addEventListener('click', (ev) => { ev.preventDefault(); if (details.onOpen) details.onOpen(t.id); });
      li.appendChild(link);
      li.appendChild(document.createTextNode(' ' + SB.t(t.kind) + ' · ' + SB.t(t.status) + ' · ' + SB.dateTime(t.created_at)));
      ul.appendChild(li);
    });
  }
  function fill(select, options) {
    const keep = select.value;
    select.textContent = '';
    select.appendChild(SB.el('option', { value: '' }, '—'));
    options.forEach((o) => select.appendChild(SB.el('option', { value: o[0] }, o[1])));
    select.value = keep;
  }
  function targets(data) {
    fill(document.getElementById('transfer-agent'), data.agents.map((a) => [a.username, a.name + (a.available ? '' : ' (' + SB.t('away') + ')')]));
    fill(document.getElementById('transfer-team'), data.teams.map((t) => [t, t]));
  }

  document.getElementById('claim').addEventListener('click', () => details.claim());
  details.claim = function () {
    if (!conv.data || conv.data.status !== 'open') return Promise.resolve(false);
    return conv.act('claim', {}, SB.t('Claimed: you have this ticket'));
  };
  document.getElementById('handback').addEventListener('click', () => conv.act('handback', {}, SB.t('Handed back to the bot')));
  document.getElementById('transfer-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const agent = document.getElementById('transfer-agent').value;
    const team = document.getElementById('transfer-team').value;
    const note = document.getElementById('transfer-note');
    const body = { note: note.value };
    if (agent) body.agent = agent; else if (team) body.team = team;
    if (await conv.act('transfer', body, SB.t('Transferred'))) {
      note.value = ''; document.getElementById('transfer-box').open = false;
    }
  });
  document.getElementById('close-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const resolution = document.getElementById('resolution');
    const closing = document.getElementById('closing-message');
    if (await conv.act('close', { resolution: resolution.value, closing_message: closing.value }, SB.t('Closed; the customer is asked for a rating'))) {
      resolution.value = ''; closing.value = ''; document.getElementById('close-box').open = false;
    }
  });
})();
