/*
 * Video uploads in the Wagtail admin (media_pipeline/uploads/ and admin_views/upload_api.py are the other half).
 *
 * A form holding [data-video-upload] is not sent with its file: the file goes first, in
 * chunks (to the admin, or as presigned multipart parts straight to the bucket), with a
 * progress bar; then the form is sent with only the upload's token in its "upload" field.
 * Listening on the document in the capture phase lets this run before Wagtail's chooser modal
 * posts its creation form, and keeps working for forms that arrive later inside a modal.
 * An interrupted upload is remembered (localStorage) and resumes when the same file is chosen.
 *
 * The edit page's processing block ([data-video-status]) is refreshed while the asset processes.
 */
(() => {
  if (window.phialoVideoUpload) return;
  window.phialoVideoUpload = true;

  const RETRIES = 5;

  const csrfToken = (form) =>
    (form && form.querySelector('input[name="csrfmiddlewaretoken"]')?.value) ||
    (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] ||
    '';

  const human = (bytes) => {
    const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return unit ? `${value.toFixed(1)} ${units[unit]}` : `${value} bytes`;
  };

  class UploadFailed extends Error {
    constructor(message, body) {
      super(message);
      this.body = body || {};
    }
  }

  // One request with upload progress; resolves with {status, body, xhr}.
  const send = (method, url, { body = null, headers = {}, onProgress = null, track = null } = {}) =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      if (track) track(xhr);
      xhr.open(method, url);
      Object.entries(headers).forEach(([name, value]) => xhr.setRequestHeader(name, value));
      if (onProgress) xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded));
      xhr.onload = () => {
        let parsed = {};
        try {
          parsed = xhr.responseText ? JSON.parse(xhr.responseText) : {};
        } catch (error) {
          parsed = {};
        }
        resolve({ status: xhr.status, body: parsed, xhr });
      };
      xhr.onerror = () => reject(new UploadFailed('network'));
      xhr.onabort = () => reject(new UploadFailed('cancelled', { cancelled: true }));
      xhr.send(body);
    });

  const api = async (form, method, url, data, state) => {
    const answer = await send(method, url, {
      body: data === undefined ? null : JSON.stringify(data),
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(form), 'X-Requested-With': 'XMLHttpRequest' },
      track: state && state.track,
    });
    if (answer.status >= 400) {
      const error = answer.body.error || {};
      throw new UploadFailed(error.message || `The server answered ${answer.status}.`, error);
    }
    return answer.body;
  };

  const withRetries = async (attempt, state) => {
    for (let tries = 0; ; tries += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (state.cancelled || error.body.cancelled || error.body.code || tries >= RETRIES) throw error;
        state.say(`Connection lost, trying again (${tries + 1}/${RETRIES}) …`);
        await new Promise((resume) => setTimeout(resume, 1000 * 2 ** tries));
      }
    }
  };

  const sendChunks = async (form, file, upload, state) => {
    let index = upload.received_chunks;
    while (index < upload.chunk_count) {
      const start = index * upload.chunk_size;
      const piece = file.slice(start, Math.min(file.size, start + upload.chunk_size));
      const current = index;
      const answer = await withRetries(
        () =>
          send('PUT', `${upload.urls.chunks}${current}/`, {
            body: piece,
            headers: { 'Content-Type': 'application/octet-stream', 'X-CSRFToken': csrfToken(form) },
            onProgress: (loaded) => state.progress(start + loaded),
            track: state.track,
          }),
        state,
      );
      if (answer.status === 409 && answer.body.error && answer.body.error.next_chunk !== undefined) {
        index = answer.body.error.next_chunk; // the server holds a different point to go on from
      } else if (answer.status >= 400) {
        throw new UploadFailed((answer.body.error || {}).message || `The server answered ${answer.status}.`, answer.body.error);
      } else {
        index += 1;
        state.progress(Math.min(index * upload.chunk_size, file.size));
      }
    }
    return api(form, 'POST', upload.urls.complete, {}, state);
  };

  const sendParts = async (form, file, upload, state) => {
    const parts = upload.parts.slice();
    let number = parts.length + 1;
    while (number <= upload.chunk_count) {
      const batch = [];
      for (let n = number; n <= upload.chunk_count && batch.length < 20; n += 1) batch.push(n);
      const { urls } = await api(form, 'POST', upload.urls.parts, { part_numbers: batch }, state);
      for (const partNumber of batch) {
        const start = (partNumber - 1) * upload.chunk_size;
        const piece = file.slice(start, Math.min(file.size, start + upload.chunk_size));
        const answer = await withRetries(
          () => send('PUT', urls[String(partNumber)], { body: piece, onProgress: (loaded) => state.progress(start + loaded), track: state.track }),
          state,
        );
        const etag = answer.xhr.getResponseHeader('ETag');
        if (answer.status >= 400 || !etag) {
          throw new UploadFailed(
            etag ? `The bucket refused part ${partNumber} (${answer.status}).` : 'The bucket does not show the ETag header: its CORS rules must expose it.',
          );
        }
        parts.push({ PartNumber: partNumber, ETag: etag });
        state.progress(Math.min(partNumber * upload.chunk_size, file.size));
      }
      number = batch[batch.length - 1] + 1;
    }
    return api(form, 'POST', upload.urls.complete, { parts }, state);
  };

  const upload = async (form, box, file, state) => {
    const rememberKey = `phialo-video-upload:${file.name}:${file.size}:${file.lastModified}`;
    let current = null;
    const remembered = window.localStorage.getItem(rememberKey);
    if (remembered) {
      try {
        const statusUrl = `${box.dataset.startUrl}${encodeURIComponent(remembered)}/`;
        current = await api(form, 'GET', statusUrl, undefined, state);
        if (current.received_chunks) state.say(`Resuming after ${human(current.received_bytes)} …`);
      } catch (error) {
        current = null;
      }
    }
    if (!current) {
      current = await api(form, 'POST', box.dataset.startUrl, { filename: file.name, size: file.size }, state);
    }
    window.localStorage.setItem(rememberKey, current.upload);
    state.discardUrl = current.urls.status;
    const done = current.mode === 'direct' ? await sendParts(form, file, current, state) : await sendChunks(form, file, current, state);
    window.localStorage.removeItem(rememberKey);
    return done.upload;
  };

  const start = async (form, box, input, tokenField) => {
    const file = input.files[0];
    const progressBox = box.querySelector('[data-video-upload-progress]');
    const bar = box.querySelector('[data-video-upload-bar]');
    const status = box.querySelector('[data-video-upload-status]');
    const errorBox = box.querySelector('[data-video-upload-error]');
    const cancel = box.querySelector('[data-video-upload-cancel]');
    const submitButtons = form.querySelectorAll('button[type="submit"]');
    const started = Date.now();
    const state = {
      cancelled: false,
      xhr: null,
      discardUrl: null,
      track: (xhr) => {
        state.xhr = xhr;
      },
      say: (text) => {
        status.textContent = text;
      },
      progress: (sent) => {
        const percent = Math.floor((100 * sent) / file.size);
        bar.value = percent;
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 1 ? ` · ${human(sent / seconds)}/s` : '';
        state.say(`${percent} % · ${human(sent)} of ${human(file.size)}${rate}`);
      },
    };
    const onCancel = () => {
      state.cancelled = true;
      if (state.xhr) state.xhr.abort();
    };
    errorBox.hidden = true;
    progressBox.hidden = false;
    cancel.addEventListener('click', onCancel);
    submitButtons.forEach((button) => {
      button.disabled = true;
    });
    form.dataset.videoUploading = '1';
    state.say('Starting …');
    try {
      const token = await upload(form, box, file, state);
      tokenField.value = token;
      input.value = '';
      state.say('Uploaded. Creating the video …');
      form.dataset.videoUploadDone = '1';
      submitButtons.forEach((button) => {
        button.disabled = false;
      });
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    } catch (error) {
      if (state.cancelled && state.discardUrl) {
        api(form, 'DELETE', state.discardUrl).catch(() => {});
        window.localStorage.removeItem(`phialo-video-upload:${file.name}:${file.size}:${file.lastModified}`);
      }
      progressBox.hidden = true;
      errorBox.hidden = false;
      errorBox.textContent = state.cancelled
        ? 'Upload cancelled.'
        : `The upload stopped: ${error.message === 'network' ? 'the connection was lost' : error.message} Choose the file again to continue.`;
      submitButtons.forEach((button) => {
        button.disabled = false;
      });
    } finally {
      cancel.removeEventListener('click', onCancel);
      delete form.dataset.videoUploading;
    }
  };

  document.addEventListener(
    'submit',
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const box = form.querySelector('[data-video-upload]');
      if (!box) return;
      if (form.dataset.videoUploadDone === '1') {
        delete form.dataset.videoUploadDone;
        return; // the file has been sent: let the form (or the chooser modal) post the token
      }
      const input = box.querySelector('input[type="file"]');
      const tokenField = form.querySelector('input[name="upload"]');
      if (!input || !tokenField || !input.files.length) return;
      const maxBytes = Number(box.dataset.maxBytes || 0);
      event.preventDefault();
      event.stopImmediatePropagation();
      if (form.dataset.videoUploading) return;
      if (maxBytes && input.files[0].size > maxBytes) {
        const errorBox = box.querySelector('[data-video-upload-error]');
        errorBox.hidden = false;
        errorBox.textContent = `The file has ${human(input.files[0].size)}; uploads may have at most ${human(maxBytes)}.`;
        return;
      }
      start(form, box, input, tokenField);
    },
    true,
  );

  // A title from the file's name when the editor has not typed one.
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'file' || !input.closest('[data-video-upload]')) return;
    const title = input.form && input.form.querySelector('input[name="title"]');
    if (title && !title.value && input.files.length) {
      title.value = input.files[0].name.replace(/\.[^.]+$/, '').replace(/[_]+/g, ' ');
    }
    if (input.form) {
      const tokenField = input.form.querySelector('input[name="upload"]');
      if (tokenField) tokenField.value = ''; // a new file replaces an upload sent before
    }
  });

  // The edit page's processing block, refreshed while the asset processes.
  const poll = (block) => {
    const active = (block.dataset.videoStatusStatuses || '').split(',');
    const tick = async () => {
      try {
        const response = await fetch(block.dataset.videoStatusUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!response.ok) return;
        const data = await response.json();
        block.innerHTML = data.html;
        if (active.includes(data.status)) setTimeout(tick, 2000);
      } catch (error) {
        setTimeout(tick, 10000);
      }
    };
    setTimeout(tick, 2000);
  };
  const ready = () => document.querySelectorAll('[data-video-status][data-video-status-active="true"]').forEach(poll);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
