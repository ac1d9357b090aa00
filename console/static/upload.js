/* Files an agent attaches to a reply: chosen in the composer (the accepted types and
 * limits shown beside the control), each uploaded as the raw file to
 * POST /console/api/files?name=... with the CSRF token while a progress bar runs, then
 * named in the reply as {file, name}. A file the page or the server refuses is explained
 * in the agent's language, and nothing is sent. */
(function () {
  'use strict';
  const SB = window.SB;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const area = document.getElementById('composer-files');
  const picker = document.getElementById('composer-file');
  const clear = document.getElementById('composer-file-clear');
  const names = document.getElementById('composer-file-names');
  const progress = document.getElementById('upload-progress');
  const status = document.getElementById('upload-status');
  const limits = document.getElementById('composer-file-limits');
  const maxBytes = Number(picker.dataset.maxBytes);
  const maxCount = Number(picker.dataset.maxCount);

  function megabytes(bytes) {
    return new Intl.NumberFormat(SB.locale, { maximumFractionDigits: 1 }).format(bytes / 1024 / 1024);
  }
  function tooLarge(name) {
    return SB.t('{name} is too large: a file can have at most {size} MB.', { name: name, size: megabytes(maxBytes) });
  }
  function chosen() { return Array.from(picker.files || []); }

  /** Why the chosen files cannot go as they are, before anything is uploaded; or null. */
  function problem(files) {
    if (files.length > maxCount) return SB.t('At most {count} files can go with one reply.', { count: maxCount });
    const large = files.find((f) => f.size > maxBytes);
    if (large) return tooLarge(large.name);
    const empty = files.find((f) => !f.size);
    return empty ? SB.t('{name} cannot be sent: the file is empty.', { name: empty.name }) : null;
  }

  /** Why the server refused a file, in the agent's language. */
  function refusal(file, xhr) {
    if (xhr.status === 413) return tooLarge(file.name);
    if (xhr.status === 415) {
      return SB.t('{name} cannot be sent: this type of file is not accepted ({limits}).', { name: file.name, limits: limits.textContent });
    }
    if (xhr.status === 400) return SB.t('{name} cannot be sent: the file is empty.', { name: file.name });
    if (xhr.status === 0) return SB.t('{name} could not be uploaded: the connection failed.', { name: file.name });
    return SB.t('{name} could not be uploaded: {reason}', { name: file.name, reason: xhr.responseText || 'HTTP ' + xhr.status });
  }

  /** Upload one file (the raw bytes); resolves to what the server stored. */
  function upload(file, index, total) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/console/api/files?name=' + encodeURIComponent(file.name));
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      xhr.setRequestHeader('X-CSRF-Token', csrf);
      xhr.upload.onprogress = (ev) => {
        if (ev.lengthComputable) progress.value = Math.round(100 * (index + ev.loaded / ev.total) / total);
      };
      xhr.onload = () => {
        if (xhr.status !== 200) { reject(new Error(refusal(file, xhr))); return; }
        try { resolve(JSON.parse(xhr.responseText)); } catch (e) { reject(new Error(refusal(file, xhr))); }
      };
      xhr.onerror = () => reject(new Error(refusal(file, { status: 0 })));
      xhr.send(file);
    });
  }

  function showing(text) {
    status.textContent = text;
    progress.hidden = !text;
    if (!text) progress.value = 0;
  }

  SB.upload = {
    /** Upload every chosen file; the reply's `files` ([] when none), or an Error that
     * says why a file cannot go (the files stay chosen, so nothing is lost). */
    files: async function () {
      const files = chosen();
      const wrong = problem(files);
      if (wrong) throw new Error(wrong);
      const stored = [];
      try {
        for (let i = 0; i < files.length; i += 1) {
          showing(SB.t('Uploading {name}…', { name: files[i].name }));
          const answer = await upload(files[i], i, files.length);
          stored.push({ file: answer.file, name: answer.name });
        }
      } finally { showing(''); }
      return stored;
    },
    /** Forget the chosen files (after sending, or when another ticket opens). */
    reset: function () { picker.value = ''; chose(); showing(''); },
    /** Files go with replies only: the control is hidden while writing a note. */
    enable: function (on) { area.hidden = !on; picker.disabled = !on; }
  };

  /** Show which files go with the reply (and offer to remove them). */
  function chose() {
    const files = chosen();
    clear.hidden = !files.length;
    names.textContent = files.length ? files.map((f) => f.name).join(', ') : SB.t('No file chosen');
    return files;
  }
  picker.addEventListener('change', () => {
    const wrong = problem(chose());
    if (wrong && SB.conversation) SB.conversation.fail(new Error(wrong));
  });
  clear.addEventListener('click', () => { SB.upload.reset(); picker.focus(); });
})();
