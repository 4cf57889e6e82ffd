// The admin page of `tensile faces serve`: plain JavaScript over the service's JSON API.
// Every state change sends the session's CSRF token; text from the server is set as text, never as HTML.

const VIEWS = ['decisions', 'review', 'identify', 'enrol', 'people', 'settings'];
const POLL_MS = 2000;
let csrf;
let lastDecisionId = 0;
let pollTimer;
const enrolPhotos = [];

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function say(text, isError = false) {
  const box = $('message');
  box.textContent = text;
  box.className = isError ? 'error' : '';
  box.hidden = false;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => { box.hidden = true; }, isError ? 8000 : 4000);
}

async function api(method, path, body) {
  const headers = {};
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (response.status === 401 && path !== '/api/session') {
    showSignIn();
    throw new Error('please sign in');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || `${response.status} ${response.statusText}`);
  return data;
}

const cropUrl = (hash) => `/api/crops/${hash}`;
const distance = (d) => (d === null || d === undefined ? '—' : d.toFixed(3));
const time = (iso) => new Date(iso).toLocaleString();

// Views

function showSignIn() {
  clearInterval(pollTimer);
  csrf = undefined;
  $('nav').hidden = true;
  for (const name of VIEWS) $(`view-${name}`).hidden = true;
  $('view-sign-in').hidden = false;
  $('password').focus();
}

function route() {
  if (!csrf) return;
  const name = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'decisions';
  $('view-sign-in').hidden = true;
  $('nav').hidden = false;
  for (const view of VIEWS) $(`view-${view}`).hidden = view !== name;
  for (const link of document.querySelectorAll('nav a')) link.classList.toggle('active', link.getAttribute('href') === `#${name}`);
  ({ decisions: refreshDecisions, review: refreshReview, people: refreshPeople, settings: refreshSettings })[name]?.().catch((e) => say(e.message, true));
}

function decisionCard(d, withActions) {
  const who = d.personName ? `${d.personName}` : 'nobody enrolled';
  return el('li', { class: 'card', dataset: { decision: String(d.id), outcome: d.outcome } },
    el('img', { src: cropUrl(d.crop), alt: `face of decision ${d.id}` }),
    el('div', { class: 'info' },
      el('span', { class: `outcome ${d.outcome}` }, d.outcome === 'review' ? 'awaiting review' : d.outcome),
      el('span', {}, `Best match: ${who}`),
      el('span', { class: 'muted' }, `distance ${distance(d.distance)} · ${d.decidedBy ? `decided by ${d.decidedBy}` : 'pending'} · from ${d.source}`),
      el('span', { class: 'muted' }, time(d.createdAt)),
      withActions ? el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'allow', onclick: () => resolve(d.id, 'allow') }, 'Allow'),
        el('button', { type: 'button', class: 'deny', onclick: () => resolve(d.id, 'deny') }, 'Deny')) : null));
}

async function refreshDecisions() {
  const { decisions } = await api('GET', '/api/decisions?limit=60');
  lastDecisionId = decisions[0]?.id ?? 0;
  $('decision-list').replaceChildren(...decisions.map((d) => decisionCard(d, false)));
  await refreshReviewCount();
}

async function pollDecisions() {
  if (!csrf) return;
  const { decisions } = await api('GET', `/api/decisions?after=${lastDecisionId}&limit=60`);
  if (decisions.length > 0) {
    lastDecisionId = decisions[0].id;
    $('decision-list').prepend(...decisions.map((d) => decisionCard(d, false)));
    const list = $('decision-list');
    while (list.children.length > 60) list.lastChild.remove();
  }
  await refreshReviewCount();
  if (!$('view-review').hidden && decisions.some((d) => d.outcome === 'review')) await refreshReview();
}

async function refreshReviewCount() {
  const { decisions } = await api('GET', '/api/decisions?pending=true&limit=500');
  $('review-count').textContent = decisions.length > 0 ? String(decisions.length) : '';
  return decisions;
}

async function refreshReview() {
  const pending = await refreshReviewCount();
  $('review-empty').hidden = pending.length > 0;
  $('review-list').replaceChildren(...pending.map((d) => decisionCard(d, true)));
}

async function resolve(id, outcome) {
  try {
    await api('POST', `/api/decisions/${id}`, { outcome });
    say(`Decision ${id}: ${outcome}`);
    await refreshReview();
  } catch (e) {
    say(e.message, true);
  }
}

async function refreshPeople() {
  const { people } = await api('GET', '/api/people');
  $('people-empty').hidden = people.length > 0;
  $('people-list').replaceChildren(...people.map((p) => {
    const name = el('input', { value: p.name, 'aria-label': `name of person ${p.id}`, maxlength: '200' });
    const more = el('input', { type: 'file', accept: 'image/*', multiple: '', hidden: '' });
    more.addEventListener('change', () => act(async () => {
      await api('POST', `/api/people/${p.id}/photos`, formWith(more.files));
      say(`Added ${more.files.length} photograph(s) to ${p.name}`);
      await refreshPeople();
    }));
    return el('li', { class: 'card', dataset: { person: String(p.id) } },
      p.crop ? el('img', { src: cropUrl(p.crop), alt: `face of ${p.name}` }) : null,
      el('div', { class: 'info' }, name,
        el('span', { class: 'muted' }, `${p.embeddings} photograph(s) · since ${time(p.createdAt)}`),
        el('div', { class: 'actions' },
          el('button', { type: 'button', onclick: () => act(async () => { await api('PATCH', `/api/people/${p.id}`, { name: name.value }); say('Renamed'); await refreshPeople(); }) }, 'Rename'),
          el('button', { type: 'button', onclick: () => more.click() }, 'Add photographs'), more,
          el('button', { type: 'button', class: 'deny', onclick: () => act(async () => {
            if (!confirm(`Delete ${p.name} and their photographs?`)) return;
            await api('DELETE', `/api/people/${p.id}`);
            say(`Deleted ${p.name}`);
            await refreshPeople();
          }) }, 'Delete'))));
  }));
}

async function refreshSettings() {
  const { policy, allowDistanceNow, allowBySizeAvailable, embedder, calibratedThreshold, limits } = await api('GET', '/api/settings');
  $('settings-embedder').textContent = `Embedder: ${embedder} (calibrated threshold ${calibratedThreshold.toFixed(3)}). Uploads: ≤ ${limits.maxFiles} photographs of ≤ ${(limits.maxBytes / 1048576).toFixed(1)} MiB and ≤ ${(limits.maxPixels / 1e6).toFixed(0)} megapixels each.`;
  $('threshold').value = policy.threshold;
  $('auto-decide').checked = policy.autoDecide;
  $('allow-by-size').checked = policy.allowDistance === 'gallery-size';
  $('allow-by-size').disabled = !allowBySizeAvailable;
  $('allow-distance').value = allowDistanceNow;
  $('allow-distance').disabled = $('allow-by-size').checked;
  $('unknown-faces').value = policy.unknownFaces;
  const { tokens } = await api('GET', '/api/tokens');
  $('token-list').replaceChildren(...tokens.map((t) => el('li', {}, `${t.name} (created ${time(t.createdAt)}) `,
    el('button', { type: 'button', class: 'link', onclick: () => act(async () => { await api('DELETE', `/api/tokens/${t.id}`); await refreshSettings(); }) }, 'revoke'))));
}

// Forms

function formWith(files, fields = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const file of files) form.append('photos', file, 'photo');
  return form;
}

async function act(action) {
  try {
    await action();
  } catch (e) {
    say(e.message, true);
  }
}

function addEnrolPhotos(files) {
  for (const file of files) {
    if (!file.type.startsWith('image/')) { say(`${file.name} is not an image`, true); continue; }
    enrolPhotos.push(file);
    $('enrol-previews').append(el('li', {}, el('img', { src: URL.createObjectURL(file), alt: 'photograph to enrol' })));
  }
}

function identifyCard(face) {
  const match = face.nearest ? `${face.nearest.name} (distance ${distance(face.nearest.distance)})` : 'nobody enrolled';
  return el('li', { class: 'card', dataset: { decision: String(face.decisionId), outcome: face.decision } },
    el('img', { src: cropUrl(face.crop), alt: 'face found' }),
    el('div', { class: 'info' },
      el('span', { class: `outcome ${face.decision}` }, face.decision === 'review' ? 'queued for review' : face.decision),
      el('span', {}, `Best match: ${match}`),
      el('span', { class: 'muted' }, face.recognised ? 'within the match threshold' : 'not recognised')));
}

function setUpForms() {
  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      ({ csrfToken: csrf } = await api('POST', '/api/session', { password: $('password').value }));
      $('password').value = '';
      startPolling();
      route();
    });
  });

  $('sign-out').addEventListener('click', () => act(async () => { await api('DELETE', '/api/session'); showSignIn(); }));

  $('identify-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      const { faces } = await api('POST', '/api/identify', formWith($('identify-file').files));
      $('identify-results').replaceChildren(...faces.map(identifyCard));
      if (faces.length === 0) say('No face found in the photograph');
      await pollDecisions();
    });
  });

  const zone = $('drop-zone');
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => { event.preventDefault(); zone.classList.remove('over'); addEnrolPhotos(event.dataTransfer.files); });
  $('enrol-files').addEventListener('change', () => { addEnrolPhotos($('enrol-files').files); $('enrol-files').value = ''; });

  $('enrol-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      if (enrolPhotos.length === 0) throw new Error('add at least one photograph');
      const person = await api('POST', '/api/people', formWith(enrolPhotos, { name: $('enrol-name').value }));
      say(`Enrolled ${person.name} from ${person.embeddings} photograph(s)`);
      enrolPhotos.length = 0;
      $('enrol-previews').replaceChildren();
      $('enrol-name').value = '';
    });
  });

  $('allow-by-size').addEventListener('change', () => { $('allow-distance').disabled = $('allow-by-size').checked; });

  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      await api('PUT', '/api/settings', {
        threshold: Number($('threshold').value),
        autoDecide: $('auto-decide').checked,
        allowDistance: $('allow-by-size').checked ? 'gallery-size' : Number($('allow-distance').value),
        unknownFaces: $('unknown-faces').value,
      });
      await refreshSettings();
      say('Settings saved');
    });
  });

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      const { token } = await api('POST', '/api/tokens', { name: $('token-name').value });
      $('token-value').textContent = token;
      $('token-new').hidden = false;
      $('token-name').value = '';
      await refreshSettings();
    });
  });

  $('password-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(async () => {
      await api('PUT', '/api/password', { current: $('password-current').value, next: $('password-next').value });
      say('Password changed; sign in again');
      showSignIn();
    });
  });

  setUpCamera();
}

function setUpCamera() {
  if (!navigator.mediaDevices?.getUserMedia) return;
  let stream;
  $('camera-start').hidden = false;
  $('camera-start').addEventListener('click', () => act(async () => {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    $('camera-video').srcObject = stream;
    $('camera').hidden = false;
  }));
  $('camera-capture').addEventListener('click', () => {
    const video = $('camera-video');
    const canvas = el('canvas', { width: String(video.videoWidth), height: String(video.videoHeight) });
    canvas.getContext('2d').drawImage(video, 0, 0);
    canvas.toBlob((blob) => addEnrolPhotos([new File([blob], 'camera.jpg', { type: 'image/jpeg' })]), 'image/jpeg', 0.92);
  });
  $('camera-stop').addEventListener('click', () => {
    for (const track of stream?.getTracks() ?? []) track.stop();
    $('camera').hidden = true;
  });
}

function startPolling() {
  clearInterval(pollTimer);
  pollTimer = setInterval(() => pollDecisions().catch(() => undefined), POLL_MS);
}

async function start() {
  setUpForms();
  window.addEventListener('hashchange', route);
  try {
    const response = await fetch('/api/session', { credentials: 'same-origin' });
    if (!response.ok) return showSignIn();
    ({ csrfToken: csrf } = await response.json());
    startPolling();
    route();
  } catch {
    showSignIn();
  }
}

start();
