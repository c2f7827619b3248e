// Fanout's dashboard: a client of the public REST API, nothing more. Everything it shows comes from
// tenants and upstreams, so it is only ever put in the page as text (textContent, attributes set one
// by one); there is no innerHTML here, and the Content-Security-Policy forbids inline script anyway.
'use strict';

(() => {
  const API = '/api/v1';
  const STORAGE_KEY = 'fanout.credential';
  const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
  const STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];
  const OUTCOMES = ['SUCCEEDED', 'HTTP_ERROR', 'TIMED_OUT', 'CONNECTION_ERROR', 'CIRCUIT_OPEN', 'REJECTED',
    'BLOCKED', 'BODY_TOO_LARGE', 'EXTRACTION_FAILED', 'CANCELLED'];
  const PAGE_SIZE = 25;

  const session = { credential: sessionStorage.getItem(STORAGE_KEY), caller: null };
  // What the current view started (timers, streams): stopped when the view changes.
  let viewScope = new AbortController();

  // ---------------------------------------------------------------- DOM helpers (text only)

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'onclick') node.addEventListener('click', value);
      else if (name === 'onsubmit') node.addEventListener('submit', value);
      else if (name === 'onchange') node.addEventListener('change', value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const $ = (id) => document.getElementById(id);
  const view = () => $('view');

  function show(...nodes) {
    view().replaceChildren(...nodes);
  }

  function time(instant) {
    if (!instant) return '';
    const date = new Date(instant);
    return Number.isNaN(date.getTime()) ? String(instant) : date.toLocaleString();
  }

  function statusTag(status) {
    return el('span', { class: 'tag status-' + String(status || '').toLowerCase(), text: status || '' });
  }

  function table(caption, headers, rows) {
    return el('div', { class: 'scroll' },
      el('table', {},
        el('caption', { class: 'visually-hidden', text: caption }),
        el('thead', {}, el('tr', {}, headers.map((header) => el('th', { scope: 'col', text: header })))),
        el('tbody', {}, rows)));
  }

  function problemText(error) {
    if (error && error.problem) {
      const problem = error.problem;
      const fields = (problem.errors || []).map((field) => field.field + ': ' + field.message);
      return [problem.title, problem.detail].concat(fields).filter(Boolean).join(' — ');
    }
    return (error && error.message) || String(error);
  }

  function errorBox(error) {
    return el('p', { class: 'error', role: 'alert', text: problemText(error) });
  }

  // ---------------------------------------------------------------- the API

  function credentialHeaders() {
    const credential = session.credential || '';
    // Three base64url parts separated by dots: a JWT; anything else is an API key.
    return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential)
      ? { Authorization: 'Bearer ' + credential }
      : { 'X-API-Key': credential };
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: 'application/json' }, credentialHeaders(), options.headers || {});
    const response = await fetch(API + path, {
      method: options.method || 'GET', headers, signal: options.signal,
      credentials: 'omit', cache: 'no-store', redirect: 'error',
    });
    if (response.status === 401 && session.caller) {
      signOut('Your key was refused; sign in again.');
    }
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch (ignored) { /* not a Problem */ }
      const error = new Error(response.status + ' ' + response.statusText);
      error.status = response.status;
      error.problem = problem;
      throw error;
    }
    return response.status === 204 ? null : response.json();
  }

  function query(parameters) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(parameters)) {
      if (value === undefined || value === null || value === '') continue;
      for (const one of [].concat(value)) search.append(name, one);
    }
    const text = search.toString();
    return text ? '?' + text : '';
  }

  // Reads an NDJSON stream, calling onItem for each result; resolves when the stream ends.
  async function stream(path, onItem, signal) {
    const response = await fetch(API + path, {
      headers: Object.assign({ Accept: 'application/x-ndjson' }, credentialHeaders()),
      credentials: 'omit', cache: 'no-store', signal,
    });
    if (!response.ok || !response.body) throw new Error('stream refused: ' + response.status);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) onItem(JSON.parse(line)); // empty lines are heartbeats
      }
    }
  }

  // ---------------------------------------------------------------- sign in and out

  async function signIn(credential) {
    session.credential = credential;
    session.caller = await api('/me');
    sessionStorage.setItem(STORAGE_KEY, credential);
  }

  function signOut(message) {
    session.credential = null;
    session.caller = null;
    sessionStorage.removeItem(STORAGE_KEY);
    $('sign-in-error').textContent = message || '';
    render();
  }

  const canWrite = () => session.caller && session.caller.access === 'READ_WRITE';

  // ---------------------------------------------------------------- routing

  function route() {
    const hash = location.hash.replace(/^#/, '') || '/jobs';
    const [path, search] = hash.split('?');
    return { parts: path.split('/').filter(Boolean), params: new URLSearchParams(search || '') };
  }

  function navigate(path, params) {
    location.hash = '#' + path + (params ? query(params) : '');
  }

  async function render() {
    viewScope.abort();
    viewScope = new AbortController();
    const signedIn = Boolean(session.caller);
    $('sign-in').hidden = signedIn;
    $('nav').hidden = !signedIn;
    $('who').hidden = !signedIn;
    view().hidden = !signedIn;
    if (!signedIn) {
      view().replaceChildren();
      $('credential').focus();
      return;
    }
    $('who-tenant').textContent = session.caller.tenant;
    $('who-access').textContent = canWrite() ? 'read-write' : 'viewer';
    const { parts, params } = route();
    for (const link of document.querySelectorAll('#nav a')) {
      link.toggleAttribute('aria-current', link.dataset.section === parts[0]);
    }
    const scope = viewScope.signal;
    try {
      if (parts[0] === 'jobs' && parts[1]) await jobView(parts[1], scope);
      else if (parts[0] === 'schedules') await schedulesView(scope);
      else if (parts[0] === 'upstreams') await upstreamsView(scope);
      else await jobsView(params, scope);
    } catch (error) {
      if (!scope.aborted) show(errorBox(error));
    }
  }

  // Runs task now and every `millis` until the view changes.
  function every(millis, task, scope) {
    const timer = setInterval(() => task().catch(() => {}), millis);
    scope.addEventListener('abort', () => clearInterval(timer));
  }

  // ---------------------------------------------------------------- jobs

  async function jobsView(params, scope) {
    const filters = {
      status: params.get('status') || '', label: params.get('label') || '',
      scheduleId: params.get('scheduleId') || '', name: params.get('name') || '',
    };
    const cursor = params.get('cursor') || '';
    const form = el('form', { class: 'filters', 'aria-label': 'Filter jobs', onsubmit: (event) => {
      event.preventDefault();
      const data = new FormData(event.target);
      navigate('/jobs', Object.fromEntries(data.entries()));
    } },
    field('Status', el('select', { id: 'filter-status', name: 'status' },
      el('option', { value: '', text: 'any' }),
      STATUSES.map((status) => el('option', { value: status, text: status, selected: status === filters.status })))),
    field('Label', el('input', { id: 'filter-label', name: 'label', placeholder: 'key:value', value: filters.label })),
    field('Schedule', el('input', { id: 'filter-schedule', name: 'scheduleId', placeholder: 'schedule id',
      value: filters.scheduleId })),
    field('Name', el('input', { id: 'filter-name', name: 'name', value: filters.name })),
    el('button', { type: 'submit', text: 'Filter' }));

    const body = el('div', {});
    show(el('h1', { text: 'Jobs' }), form, body);

    const load = async () => {
      const page = await api('/jobs' + query(Object.assign({}, filters, { cursor, limit: PAGE_SIZE })),
        { signal: scope });
      const rows = page.items.map((job) => el('tr', { 'data-job-id': job.id },
        el('td', {}, el('a', { href: '#/jobs/' + job.id, text: job.name || job.id.slice(0, 13) + '…' })),
        el('td', {}, statusTag(job.status)),
        el('td', {}, progressBar(job)),
        el('td', {}, labels(job.labels)),
        el('td', {}, job.scheduleId
          ? el('a', { href: '#/jobs' + query({ scheduleId: job.scheduleId }), text: job.scheduleId.slice(0, 8) })
          : ''),
        el('td', { text: time(job.createdAt) }),
        el('td', { text: time(job.startedAt) }),
        el('td', { text: time(job.finishedAt) })));
      const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' },
        cursor ? el('a', { href: '#/jobs' + query(filters), text: 'Newest' }) : null,
        page.nextCursor
          ? el('a', { href: '#/jobs' + query(Object.assign({}, filters, { cursor: page.nextCursor })), text: 'Older' })
          : null);
      body.replaceChildren(rows.length
        ? table('Jobs, newest first', ['Job', 'Status', 'Progress', 'Labels', 'Schedule', 'Created', 'Started',
          'Finished'], rows)
        : el('p', { class: 'empty', text: 'No jobs.' }), pager);
      return page;
    };
    await load();
    every(3000, load, scope);
  }

  function field(label, control) {
    return el('label', { class: 'field' }, el('span', { text: label }), control);
  }

  function labels(map) {
    return el('span', { class: 'labels' },
      Object.entries(map || {}).map(([key, value]) => el('span', { class: 'chip', text: key + ': ' + value })));
  }

  function progressBar(job) {
    const { total, done } = job.progress;
    return el('span', { class: 'progress' },
      el('progress', { max: Math.max(total, 1), value: done, 'aria-label': done + ' of ' + total + ' done' }),
      el('span', { class: 'progress-text', text: done + ' / ' + total }));
  }

  async function jobView(id, scope) {
    const header = el('div', { class: 'job-header' });
    const summary = el('div', { class: 'panel' });
    const results = el('section', { class: 'panel', 'aria-label': 'Results' });
    show(el('p', {}, el('a', { href: '#/jobs', text: '← Jobs' })), header, summary, results);

    let job = await api('/jobs/' + id, { signal: scope });
    const resultFilter = { outcome: '', includeBody: false };

    const drawJob = () => {
      header.replaceChildren(
        el('h1', {}, job.name || 'Job', ' ', statusTag(job.status)),
        el('p', { class: 'muted', text: job.id }),
        el('div', { class: 'actions' },
          canWrite() && !FINISHED.has(job.status) && !job.cancelRequested
            ? el('button', { type: 'button', id: 'cancel-job', class: 'danger', onclick: cancel, text: 'Cancel job' })
            : null,
          job.cancelRequested && !FINISHED.has(job.status) ? el('span', { class: 'muted', text: 'Cancelling…' }) : null));
      const counts = Object.entries(job.progress.counts).filter(([, count]) => count > 0);
      summary.replaceChildren(
        el('h2', { text: 'Progress' }),
        el('p', { id: 'job-progress' }, progressBar(job)),
        el('dl', { class: 'facts', id: 'outcome-counts' },
          counts.map(([outcome, count]) => [el('dt', { text: outcome }), el('dd', { text: count })])),
        el('h2', { text: 'Details' }),
        el('dl', { class: 'facts' },
          fact('Status', job.status, 'job-status'), fact('Created', time(job.createdAt)),
          fact('Started', time(job.startedAt)), fact('Finished', time(job.finishedAt)),
          fact('Priority', job.priority), fact('Deadline', job.deadline),
          job.error ? fact('Error', job.error.kind + ': ' + job.error.message) : null,
          el('dt', { text: 'Labels' }), el('dd', {}, labels(job.labels)),
          job.scheduleId ? el('dt', { text: 'Schedule' }) : null,
          job.scheduleId ? el('dd', {}, el('a', { href: '#/jobs' + query({ scheduleId: job.scheduleId }),
            text: job.scheduleId })) : null));
    };

    const cancel = async () => {
      try {
        job = await api('/jobs/' + id + '/cancel', { method: 'POST' });
        drawJob();
      } catch (error) {
        header.append(errorBox(error));
      }
    };

    const refresh = async () => {
      job = await api('/jobs/' + id, { signal: scope });
      drawJob();
      return job;
    };

    const drawResults = async () => {
      const controls = el('form', { class: 'filters', 'aria-label': 'Filter results',
        onsubmit: (event) => event.preventDefault() },
      field('Outcome', el('select', { id: 'filter-outcome', onchange: (event) => {
        resultFilter.outcome = event.target.value;
        drawResults();
      } }, el('option', { value: '', text: 'any' }),
      OUTCOMES.map((outcome) => el('option', { value: outcome, text: outcome,
        selected: outcome === resultFilter.outcome })))),
      el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'include-body',
        checked: resultFilter.includeBody, onchange: (event) => {
          resultFilter.includeBody = event.target.checked;
          drawResults();
        } }), ' Show bodies'));
      const list = el('div', {});
      results.replaceChildren(el('h2', { text: 'Results' }), controls, list);
      await resultPages(id, resultFilter, list, null, scope);
    };

    drawJob();
    await drawResults();
    if (!FINISHED.has(job.status)) {
      follow(id, refresh, drawResults, scope);
    }
  }

  function fact(name, value, id) {
    if (value === undefined || value === null || value === '') return null;
    return [el('dt', { text: name }), el('dd', { id, text: value })];
  }

  // Live progress: the results stream tells when something changed; the job resource says what.
  function follow(id, refresh, drawResults, scope) {
    let pending = null;
    const soon = () => {
      if (!pending) pending = setTimeout(() => { pending = null; refresh().catch(() => {}); }, 250);
    };
    let after = 0;
    const run = async () => {
      while (!scope.aborted) {
        try {
          await stream('/jobs/' + id + '/results' + query({ after }), (result) => {
            after = Math.max(after, result.position || 0);
            soon();
          }, scope);
        } catch (error) {
          if (scope.aborted) return;
          await new Promise((resolve) => setTimeout(resolve, 2000)); // refused (too many streams?): wait
        }
        const job = await refresh().catch(() => null);
        if (job && FINISHED.has(job.status)) {
          await drawResults();
          return;
        }
      }
    };
    run();
    // Also poll, slowly: status changes without a result (queued → running, cancel) show up too.
    every(2000, refresh, scope);
  }

  async function resultPages(id, filter, container, cursor, scope) {
    const page = await api('/jobs/' + id + '/results' + query({ outcome: filter.outcome, cursor, limit: PAGE_SIZE,
      includeBody: filter.includeBody || undefined }), { signal: scope });
    const names = [...new Set(page.items.flatMap((result) => Object.keys(result.extracted || {})))];
    const rows = page.items.map((result) => el('tr', { 'data-index': result.index },
      el('td', { text: result.index }),
      el('td', { class: 'url' }, el('span', { class: 'method', text: result.method }), ' ', result.url),
      el('td', {}, statusTag(result.outcome)),
      el('td', { text: result.httpStatus ?? '' }),
      el('td', { text: result.attempts }),
      el('td', { text: result.durationMs + ' ms' }),
      names.map((name) => el('td', { class: 'extracted', text: display((result.extracted || {})[name]) })),
      el('td', {}, result.error ? result.error.kind + ': ' + result.error.message : '',
        result.body !== undefined && result.body !== null
          ? el('details', {}, el('summary', { text: 'body (' + result.bodySize + ' bytes)' }),
            el('pre', { text: result.body }))
          : null)));
    const more = page.nextCursor
      ? el('button', { type: 'button', class: 'more', text: 'More results', onclick: (event) => {
        event.target.remove();
        resultPages(id, filter, container, page.nextCursor, scope);
      } })
      : null;
    container.append(rows.length
      ? table('Results', ['#', 'Request', 'Outcome', 'Status', 'Attempts', 'Duration'].concat(names, ['Error']), rows)
      : (cursor ? '' : el('p', { class: 'empty', text: 'No results yet.' })), more || '');
  }

  function display(value) {
    if (value === undefined || value === null) return '—';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  // ---------------------------------------------------------------- schedules

  async function schedulesView(scope) {
    const body = el('div', {});
    show(el('h1', { text: 'Schedules' }), body);
    const act = async (schedule, action) => {
      try {
        await api('/schedules/' + schedule.id + '/' + action, { method: 'POST' });
      } catch (error) {
        body.prepend(errorBox(error));
      }
      await load();
    };
    const load = async () => {
      const page = await api('/schedules' + query({ limit: 100 }), { signal: scope });
      const rows = page.items.map((schedule) => el('tr', { 'data-schedule-id': schedule.id },
        el('td', {}, el('a', { href: '#/jobs' + query({ scheduleId: schedule.id }), text: schedule.name })),
        el('td', { text: schedule.trigger.cron
          ? schedule.trigger.cron + ' (' + (schedule.trigger.timezone || 'UTC') + ')'
          : 'every ' + schedule.trigger.fixedRate }),
        el('td', {}, el('span', { class: 'tag', text: schedule.enabled ? 'active' : 'paused' })),
        el('td', { text: time(schedule.nextFireAt) }),
        el('td', {}, schedule.lastJob
          ? [el('a', { href: '#/jobs/' + schedule.lastJob.id, text: schedule.lastJob.id.slice(0, 8) }), ' ',
            statusTag(schedule.lastJob.status)]
          : ''),
        el('td', { class: 'actions' }, canWrite() ? [
          schedule.enabled
            ? el('button', { type: 'button', text: 'Pause', onclick: () => act(schedule, 'pause') })
            : el('button', { type: 'button', text: 'Resume', onclick: () => act(schedule, 'resume') }),
          el('button', { type: 'button', text: 'Run now', onclick: () => act(schedule, 'trigger') }),
        ] : '')));
      body.replaceChildren(rows.length
        ? table('Schedules', ['Name', 'Trigger', 'State', 'Next fire', 'Last job', ''], rows)
        : el('p', { class: 'empty', text: 'No schedules.' }));
    };
    await load();
    every(5000, load, scope);
  }

  // ---------------------------------------------------------------- upstreams

  async function upstreamsView(scope) {
    const body = el('div', {});
    show(el('h1', { text: 'Upstreams' }),
      el('p', { class: 'muted', text: 'Hosts your requests reached recently on this instance: your own circuit '
        + 'breaker for each, and the host\'s concurrency, which every tenant shares.' }), body);
    const load = async () => {
      const upstreams = await api('/upstreams', { signal: scope });
      const rows = upstreams.hosts.map((host) => el('tr', {},
        el('td', { text: host.host }),
        el('td', {}, statusTag(host.breaker.state)),
        el('td', { text: host.breaker.failureRate === undefined ? '—' : host.breaker.failureRate + ' %' }),
        el('td', { text: host.breaker.succeeded + ' / ' + host.breaker.failed + ' / ' + host.breaker.notPermitted }),
        el('td', { text: host.concurrency.inFlight + ' / ' + host.concurrency.max }),
        el('td', { text: host.concurrency.waiting }),
        el('td', { text: host.ratePerSecond === undefined ? '—' : host.ratePerSecond + '/s' }),
        el('td', { text: host.slowedDownTo === undefined ? '—' : host.slowedDownTo + '/s' })));
      body.replaceChildren(rows.length
        ? table('Upstream hosts', ['Host', 'Breaker', 'Failure rate', 'Succeeded / failed / refused',
          'In flight / max', 'Waiting', 'Rate', 'Slowed to'], rows)
        : el('p', { class: 'empty', text: 'No upstream hosts yet.' }));
    };
    await load();
    every(5000, load, scope);
  }

  // ---------------------------------------------------------------- start

  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    try {
      await signIn($('credential').value.trim());
      $('credential').value = '';
      render();
    } catch (error) {
      session.credential = null;
      $('sign-in-error').textContent = error.status === 401 ? 'That key or token was refused.' : problemText(error);
    }
  });
  $('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', render);

  (async () => {
    if (session.credential) {
      try {
        session.caller = await api('/me');
      } catch (error) {
        session.credential = null;
        sessionStorage.removeItem(STORAGE_KEY);
      }
    }
    render();
  })();
})();
