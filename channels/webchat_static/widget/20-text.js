/* --- 20 text: safe rich text (links, bold, lists), times and initials ---
 * Server text is never parsed as HTML: it is split into tokens and every piece becomes a
 * text node or an element built here; links are only http(s) and open with noopener. */
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => e.setAttribute(k, attrs[k]));
  if (text != null) e.textContent = String(text);
  return e;
}

const INLINE = /\*\*([^*\n]+)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(https?:\/\/[^\s<>"']+)/g;

function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch (e) {
    return null;
  }
}
function link(url, label) {
  const href = safeHref(url);
  if (!href) return document.createTextNode(label);
  return el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' }, label);
}

function appendInline(parent, text) {
  let last = 0;
  let m;
  INLINE.lastIndex = 0;
  while ((m = INLINE.exec(text)) !== null) {
    if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
    let end = INLINE.lastIndex;
    if (m[1] != null) {
      parent.appendChild(el('strong', {}, m[1]));
    } else if (m[2] != null) {
      parent.appendChild(link(m[3], m[2]));
    } else {
      // A bare URL does not take the sentence's closing punctuation with it.
      const url = m[4].replace(/[.,;:!?)\]]+$/, '');
      end = m.index + url.length;
      INLINE.lastIndex = end;
      parent.appendChild(link(url, url));
    }
    last = end;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** Fill `parent` with `text`: lines, `- ` / `1. ` lists, **bold** and links. */
function renderRich(parent, text) {
  const lines = String(text == null ? '' : text).split('\n');
  let list = null;
  let kind = null;
  let line = 0;
  lines.forEach((raw) => {
    const bullet = BULLET.exec(raw);
    const numbered = bullet ? null : NUMBERED.exec(raw);
    const item = bullet || numbered;
    if (item) {
      const wanted = bullet ? 'ul' : 'ol';
      if (!list || kind !== wanted) {
        list = el(wanted);
        kind = wanted;
        parent.appendChild(list);
      }
      const li = el('li');
      appendInline(li, item[1]);
      list.appendChild(li);
      line = 0;
      return;
    }
    if (line > 0 || (list === null && parent.childNodes.length)) parent.appendChild(document.createTextNode('\n'));
    list = null;
    kind = null;
    appendInline(parent, raw);
    line += 1;
  });
}

function locale() {
  // English: the browser's own English variant; otherwise the chat language's main region.
  const own = (navigator.languages || [navigator.language]).find((l) => supported(l) === chatLang);
  return own && own.length > 2 ? own : { nl: 'nl-NL', de: 'de-DE', en: 'en-GB' }[chatLang];
}
function formatTime(date) {
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  const options = sameDay ? { hour: '2-digit', minute: '2-digit' }
    : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}
function initials(name) {
  const words = String(name || '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const first = words[0][0];
  const last = words.length > 1 ? words[words.length - 1][0] : '';
  return (first + last).toUpperCase();
}
function newId() {
  if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
}
function stored(key, value) {
  try {
    if (value === undefined) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch (e) { /* storage unavailable */ }
  return null;
}
