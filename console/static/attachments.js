/* What a message holds, shown in the transcript: its files (voice notes and videos play
 * with controls, photos show as thumbnails, every stored file has a download link), the
 * line saying what a location, contact card or poll holds, a map link for a location and
 * a mark on an edited message. Customer data is set with textContent, never as HTML. */
(function () {
  'use strict';
  const SB = window.SB;
  // Images a browser shows safely; SVG (which can hold script) and the rest are downloads.
  const THUMBNAIL_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
  const KIND_NAMES = {
    photo: SB.t('Photo'), document: SB.t('Document'), voice: SB.t('Voice note'),
    audio: SB.t('Audio'), video: SB.t('Video'), video_note: SB.t('Video note'),
    animation: SB.t('Animation'), sticker: SB.t('Sticker')
  };

  function kindName(kind) { return KIND_NAMES[kind] || SB.t('File'); }

  /** "Voice note · 0:04", "Document · manual.pdf · 120 kB": what the agent reads first. */
  function label(a) {
    const parts = [kindName(a.kind)];
    if (a.name) parts.push(a.name);
    if (a.duration) parts.push(Math.floor(a.duration / 60) + ':' + String(a.duration % 60).padStart(2, '0'));
    if (a.size) parts.push(new Intl.NumberFormat(SB.locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(Math.max(1, a.size / 1024)));
    return parts.join(' · ');
  }

  /** The player or thumbnail of a stored file, or null when it is only a download. */
  function preview(a, name) {
    const mime = a.mime_type || '';
    if (mime.startsWith('audio/')) return SB.el('audio', { controls: '', preload: 'metadata', src: a.url, 'aria-label': name });
    if (mime.startsWith('video/')) return SB.el('video', { controls: '', preload: 'metadata', src: a.url, 'aria-label': name });
    if (THUMBNAIL_TYPES.indexOf(mime) >= 0) return SB.el('img', { src: a.url, alt: name, class: 'thumb', loading: 'lazy' });
    return null;
  }

  function attachment(a) {
    const name = label(a);
    const box = SB.el('div', { class: 'attachment kind-' + a.kind });
    box.appendChild(SB.el('span', { class: 'attachment-label' }, name));
    if (!a.url) {  // not fetched from the channel (too large, refused or gone)
      box.appendChild(SB.el('span', { class: 'attachment-missing' }, SB.t('not stored')));
      return box;
    }
    const shown = preview(a, name);
    if (shown) box.appendChild(shown);
    box.appendChild(SB.el('a', {
      href: a.url, target: '_blank', rel: 'noopener noreferrer', download: a.name || '',
      class: 'download', 'aria-label': SB.t('Download {file}', { file: name })
    }, SB.t('Download')));
    return box;
  }

  SB.attachments = {
    /** The edit mark for a message's meta line, or null. */
    edited: function (m) {
      return m.edited ? SB.el('span', { class: 'edited', title: SB.t('The customer edited this message') }, SB.t('(edited)')) : null;
    },
    /** Everything a message holds besides its text, as nodes for its transcript item. */
    nodes: function (m) {
      const nodes = [];
      if (m.summary) nodes.push(SB.el('div', { class: 'summary' }, m.summary));
      if (m.map_url) {
        nodes.push(SB.el('a', { href: m.map_url, target: '_blank', rel: 'noopener noreferrer', class: 'map-link' }, SB.t('Open map')));
      }
      (m.attachments || []).forEach((a) => nodes.push(attachment(a)));
      return nodes;
    }
  };
})();
