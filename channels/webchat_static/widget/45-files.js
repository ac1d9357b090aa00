/* --- 45 files: the attach button, drag and drop and paste, uploads with progress, and the
 * files of a message (thumbnails for images, links for the rest). The limits come from the
 * server's welcome frame; a file over them is refused here, before any request, and the
 * server checks them again whatever the widget says. */
let attachBtn, fileInput, limitsHint, dropZone;
let limits = null;      // {max_bytes, max_count, types} from the welcome frame
const SCRIPT_URL = new URL(script && script.src ? script.src : '/chat/widget.js', location.href);
const TYPE_NAMES = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WebP', 'image/gif': 'GIF',
  'image/heic': 'HEIC', 'application/pdf': 'PDF' };
const THUMB_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

function uploadUrl() {
  let path = SCRIPT_URL.pathname.replace(/widget\.js$/, 'files');
  if (!/\/files$/.test(path)) path = '/chat/files';
  return SCRIPT_URL.origin + path;
}
const UPLOAD_URL = uploadUrl();

/** The attach button (in the composer's tools slot), the hidden file picker, the limits
 * hint and the drop zone; called once the panel is assembled. */
function buildFiles() {
  attachBtn = el('button', { id: 'sbw-attach', class: 'sbw-attach', type: 'button', 'aria-describedby': 'sbw-limits' });
  attachBtn.innerHTML = ICON_CLIP;
  attachBtn.disabled = true; // until the server has told the limits
  fileInput = el('input', { id: 'sbw-file', type: 'file', multiple: '', tabindex: '-1', 'aria-hidden': 'true' });
  fileInput.hidden = true;
  tools.appendChild(attachBtn);
  tools.appendChild(fileInput);
  limitsHint = el('div', { id: 'sbw-limits', class: 'sbw-limits' });
  limitsHint.hidden = true;
  panel.insertBefore(limitsHint, form);
  dropZone = el('div', { id: 'sbw-drop', class: 'sbw-drop', 'aria-hidden': 'true' });
  dropZone.hidden = true;
  panel.appendChild(dropZone);

  attachBtn.addEventListener('click', () => fileInput.click());
  ['focus', 'mouseenter'].forEach((e) => attachBtn.addEventListener(e, () => { limitsHint.hidden = !limits; }));
  ['blur', 'mouseleave'].forEach((e) => attachBtn.addEventListener(e, () => {
    if (document.activeElement !== attachBtn) limitsHint.hidden = true;
  }));
  fileInput.addEventListener('change', () => { sendFiles(fileInput.files); fileInput.value = ''; });
  input.addEventListener('paste', (e) => {
    const files = e.clipboardData && e.clipboardData.files;
    if (!files || !files.length) return;
    e.preventDefault();
    sendFiles(files);
  });
  const carriesFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).indexOf('Files') >= 0;
  ['dragenter', 'dragover'].forEach((name) => panel.addEventListener(name, (e) => {
    if (!carriesFiles(e) || !limits || halted) return;
    e.preventDefault();
    dropZone.hidden = false;
  }));
  panel.addEventListener('dragleave', (e) => {
    if (!e.relatedTarget || !panel.contains(e.relatedTarget)) dropZone.hidden = true;
  });
  panel.addEventListener('drop', (e) => {
    dropZone.hidden = true;
    if (!carriesFiles(e)) return;
    e.preventDefault();
    sendFiles(e.dataTransfer.files);
  });
}

function applyFileLabels() {
  attachBtn.setAttribute('aria-label', t.attach);
  attachBtn.setAttribute('title', t.attach);
  const hint = limits ? fill(t.limits, { types: typeNames(), size: formatSize(limits.max_bytes) }) : '';
  limitsHint.textContent = hint;
  dropZone.textContent = t.drop + (hint ? '. ' + hint : '');
}

/** The welcome frame's limits: the picker offers only the allowed types. */
function setLimits(given) {
  if (!given || typeof given !== 'object' || !Array.isArray(given.types)) return;
  limits = { max_bytes: Number(given.max_bytes) || 0, max_count: Number(given.max_count) || 1,
    types: given.types.map(String) };
  fileInput.setAttribute('accept', limits.types.join(','));
  attachBtn.disabled = halted;
  applyFileLabels();
}

function typeNames() {
  return limits.types.map((type) => TYPE_NAMES[type] || type.split('/').pop().toUpperCase()).join(', ');
}
function formatSize(bytes) {
  const mb = bytes >= 1024 * 1024;
  const n = mb ? bytes / (1024 * 1024) : Math.max(1, Math.round(bytes / 1024));
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(n) + (mb ? ' MB' : ' KB');
}

/** Why `file` cannot be sent (in the chat's language), or null. The browser's type is a
 * hint only: an unknown one is left to the server, which sniffs the bytes. */
function refusal(file) {
  const name = file.name || t.file;
  if (file.size > limits.max_bytes) {
    return fill(t.tooLarge, { name: name, size: formatSize(file.size), limit: formatSize(limits.max_bytes) });
  }
  if (file.type && limits.types.indexOf(file.type) < 0) return fill(t.wrongType, { name: name, types: typeNames() });
  return null;
}

function refuse(text) {
  addMessage({ from: 'system', text: text }, true).classList.add('sbw-error');
}

function sendFiles(list) {
  if (!limits || halted) return;
  Array.from(list || []).slice(0, limits.max_count).forEach(sendFile);
}

/** Upload one file with a progress bar in the customer's message; the message shows the
 * server's link once stored, or goes away with the reason when refused. */
function sendFile(file) {
  const refused = refusal(file);
  if (refused) return refuse(refused);
  const id = newId();
  const local = THUMB_TYPES.indexOf(file.type) >= 0 && window.URL ? URL.createObjectURL(file) : null;
  const msg = addMessage({ from: 'customer', text: '', state: 'sending', clientId: id,
    files: [{ url: local, local: true, image: !!local, name: file.name, size: file.size }] }, true);
  const bar = el('progress', { class: 'sbw-progress', max: '100', 'aria-label': fill(t.uploading, { name: file.name || t.file }) });
  bar.value = 0;
  msg.querySelector('.sbw-content').insertBefore(bar, msg.querySelector('.sbw-meta'));
  setQuick([]);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', UPLOAD_URL + '?id=' + encodeURIComponent(id) + '&name=' + encodeURIComponent(file.name || '') +
    '&lang=' + visitorLang);
  xhr.setRequestHeader('Authorization', 'Bearer ' + (stored(TOKEN_KEY) || ''));
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total); };
  xhr.onload = () => {
    bar.remove();
    if (local) URL.revokeObjectURL(local);
    let answer = null;
    try { answer = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
    if (xhr.status !== 200 || !answer || !answer.file) return uploadFailed(msg, id, file, xhr.status);
    const body = msg.querySelector('.sbw-body');
    body.querySelectorAll('.sbw-files').forEach((n) => n.remove());
    renderFiles(body, [answer.file]);
    setState(msg, 'sent');
  };
  xhr.onerror = () => { bar.remove(); uploadFailed(msg, id, file, 0); };
  xhr.send(file);
}

function uploadFailed(msg, id, file, status) {
  msg.remove();
  delete mine[id];
  const name = file.name || t.file;
  if (status === 413) refuse(fill(t.tooLarge, { name: name, size: formatSize(file.size), limit: formatSize(limits.max_bytes) }));
  else if (status === 415) refuse(fill(t.wrongType, { name: name, types: typeNames() }));
  else if (status === 429) refuse(t.tooFast);
  else refuse(fill(t.uploadFailed, { name: name }));
}

/** A server link (a path on our app) as an absolute http(s) URL, else null. */
function fileHref(path) {
  try {
    const url = new URL(String(path), SCRIPT_URL);
    return url.origin === SCRIPT_URL.origin ? safeHref(url.href) : null;
  } catch (e) {
    return null;
  }
}

/** The files of a message: images as thumbnails that open the full picture, other files as
 * links with their name and size. */
function renderFiles(body, files) {
  if (!Array.isArray(files) || !files.length) return;
  const box = el('div', { class: 'sbw-files' });
  files.forEach((f) => {
    if (!f || typeof f !== 'object') return;
    const href = f.local ? f.url : fileHref(f.url);
    const name = String(f.name || (f.image ? t.photo : t.file));
    if (!href) {
      box.appendChild(el('span', { class: 'sbw-file' }, name));
      return;
    }
    const a = el('a', { href: href, target: '_blank', rel: 'noopener noreferrer' });
    if (f.image) {
      a.className = 'sbw-thumb-link';
      a.appendChild(el('img', { src: href, alt: name, class: 'sbw-thumb' }));
    } else {
      a.className = 'sbw-file';
      a.textContent = name + (typeof f.size === 'number' ? ' (' + formatSize(f.size) + ')' : '');
    }
    box.appendChild(a);
  });
  body.appendChild(box);
}
