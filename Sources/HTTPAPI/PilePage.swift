import Gateway
import OCPP

/// One pile's page, `/piles/{id}`: its connectors and live status, its configuration (1.6:
/// read and changed through GetConfiguration / ChangeConfiguration; 2.0.1: the reported
/// device model), recent frames, findings, notices (firmware, diagnostics, logs, security), command history, an operations panel that
/// sends any command of the pile's version through `POST /api/chargepoints/{id}/commands/…`, and panels for the friendlier endpoints:
/// firmware, diagnostics and log jobs, the gateway's local list, reservations and the charging profiles kept.
/// Self-contained like the dashboard; API strings reach the page only through `textContent`.
/// The ids (`#connectors`, `#command-action`, `#command-result[data-outcome]`, `#history`,
/// `#configuration`, `#jobs`, `#local-list-facts`, `#reservations`, `#profiles` …) are what Tests/Browser/test_pile_page.py reads.
enum PilePage {
    /// The actions per version, from the protocol catalogue (the same list the API checks against).
    static let actions: String = {
        let versions = OCPPVersion.allCases.map { version in
            "\(JSON.string(version.label).text): \(JSON.array(Gateway.commandActions(version).map(JSON.string)).text)"
        }
        return "{" + versions.joined(separator: ", ") + "}"
    }()

    static let html: String = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>PileGate pile</title>
    <link rel="icon" href="data:,">
    <style>
      :root { --bg: #f5f6f8; --fg: #1d2330; --muted: #6b7385; --line: #dde1e8; --ok: #1a7f37; --bad: #cf222e; --busy: #0969da; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
      header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; padding: .6rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
      h1 { font-size: 1.1rem; margin: 0; } h2 { font-size: 1rem; margin: 0 0 .5rem; }
      main { display: grid; gap: 1rem; padding: 1rem; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); }
      section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; overflow: auto; max-height: 32rem; }
      table { border-collapse: collapse; width: 100%; }
      th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
      th { color: var(--muted); font-weight: 600; }
      td.frame, td.detail, td.json { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
      .muted { color: var(--muted); }
      textarea { width: 100%; min-height: 6rem; font-family: ui-monospace, monospace; }
      #command-result { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12px; }
      #command-result[data-outcome="answered"] { color: var(--ok); }
      #command-result[data-outcome="error"] { color: var(--bad); }
      [data-status="Available"] { color: var(--ok); } [data-status="Charging"] { color: var(--busy); }
      [data-status="Faulted"], [data-status="Unavailable"] { color: var(--bad); }
    </style>
    </head>
    <body>
    <header>
      <h1><a href="/">PileGate</a> &middot; <span id="pile-id"></span></h1>
      <span id="pile-facts" class="muted"></span>
      <label>API token <input id="token" type="password" size="24" autocomplete="off"></label>
    </header>
    <main>
      <section><h2>Connectors</h2><table id="connectors"><thead><tr><th>#</th><th>status</th><th>error</th><th>since</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Operations</h2>
        <p><label>Action <select id="command-action"></select></label> <button id="command-send">Send</button></p>
        <textarea id="command-payload" spellcheck="false">{}</textarea>
        <div id="command-result" class="muted">No command sent yet.</div>
      </section>
      <section><h2>Configuration</h2><p><button id="configuration-read">Read from the pile</button></p>
        <table id="configuration"><thead><tr><th>key</th><th>value</th><th></th></tr></thead><tbody></tbody></table></section>
      <section><h2>Firmware, diagnostics and logs</h2>
        <p><label>Firmware <select id="firmware-file"></select></label> <button id="firmware-update">Update firmware</button>
          <button id="diagnostics-get">Get diagnostics</button>
          <label>Log <select id="log-type"><option>DiagnosticsLog</option><option>SecurityLog</option></select></label> <button id="log-get">Get log</button></p>
        <div id="job-result" class="muted"></div>
        <table id="jobs"><thead><tr><th>#</th><th>kind</th><th>status</th><th>pile says</th><th>updated</th><th>files</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Local list</h2><p><span id="local-list-facts" class="muted">&mdash;</span>
        <button id="local-list-sync">Sync</button> <button id="local-list-full">Send the full list</button></p>
        <div id="local-list-result" class="muted"></div></section>
      <section><h2>Reservations</h2>
        <p><label>Connector <input id="reserve-connector" type="number" min="0" value="1" size="3"></label>
          <label>id tag <input id="reserve-tag" value="OPERATOR" size="12"></label>
          <label>minutes <input id="reserve-minutes" type="number" min="1" value="15" size="4"></label> <button id="reserve">Reserve</button></p>
        <div id="reserve-result" class="muted"></div>
        <table id="reservations"><thead><tr><th>#</th><th>connector</th><th>id tag</th><th>expires</th><th>status</th><th></th></tr></thead><tbody></tbody></table></section>
      <section><h2>Charging profiles</h2><table id="profiles"><thead><tr><th>connector</th><th>id</th><th>purpose</th><th>stack</th><th>transaction</th><th>stored</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Command history</h2><table id="history"><thead><tr><th>time</th><th>action</th><th>outcome</th><th>ms</th><th>answer</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Firmware, diagnostics, logs, security</h2><table id="notices"><thead><tr><th>time</th><th>kind</th><th>status</th><th>request</th><th>detail</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Findings</h2><table id="findings"><thead><tr><th>time</th><th>rule</th><th>detail</th></tr></thead><tbody></tbody></table></section>
      <section><h2>Recent frames</h2><table id="frames"><thead><tr><th>time</th><th></th><th>frame</th></tr></thead><tbody></tbody></table></section>
    </main>
    <script>
    'use strict';
    (function () {
      const ACTIONS = __ACTIONS__;
      // Payloads to start from; anything else starts as {} (the API names a missing field).
      const TEMPLATES = {
        Reset: { '1.6': { type: 'Soft' }, '2.0.1': { type: 'Immediate' } },
        UnlockConnector: { '1.6': { connectorId: 1 }, '2.0.1': { evseId: 1, connectorId: 1 } },
        ChangeAvailability: { '1.6': { connectorId: 0, type: 'Operative' }, '2.0.1': { operationalStatus: 'Operative' } },
        TriggerMessage: { '1.6': { requestedMessage: 'StatusNotification' }, '2.0.1': { requestedMessage: 'StatusNotification' } },
        RemoteStartTransaction: { '1.6': { idTag: 'OPERATOR', connectorId: 1 } },
        RequestStartTransaction: { '2.0.1': { idToken: { idToken: 'OPERATOR', type: 'Central' }, remoteStartId: 1 } },
        ChangeConfiguration: { '1.6': { key: 'HeartbeatInterval', value: '300' } },
        GetVariables: { '2.0.1': { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] } },
        GetBaseReport: { '2.0.1': { requestId: 1, reportBase: 'ConfigurationInventory' } },
      };
      const id = decodeURIComponent(location.pathname.replace(/^\/piles\//, ''));
      const path = '/api/chargepoints/' + encodeURIComponent(id);
      const $ = (selector) => document.querySelector(selector);
      let version = '1.6';

      function el(tag, attrs, text) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
        if (text !== undefined && text !== null) node.textContent = String(text);
        return node;
      }
      const clock = (t) => { const d = t ? new Date(t) : null; return d && !isNaN(d) ? d.toLocaleTimeString() : '\u2014'; };
      function rows(table, items, cells) {
        $(table + ' tbody').replaceChildren(...items.map((item) => { const tr = el('tr', item.attrs || {}); tr.append(...cells(item).map((c) => el('td', c[1] ? { class: c[1] } : {}, c[0]))); return tr; }));
      }
      async function get(url) {
        const response = await fetch(url, { headers: token() ? { Authorization: 'Bearer ' + token() } : {} });
        if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
        return response.json();
      }
      function token() { return $('#token').value.trim(); }

      async function send(action, payload) {
        const response = await fetch(path + '/commands/' + encodeURIComponent(action), {
          method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token() }, body: JSON.stringify(payload) });
        let body = null;
        try { body = await response.json(); } catch (e) { body = null; }
        return { ok: response.ok, status: response.status, body };
      }

      async function post(url, payload, method) {
        const response = await fetch(url, { method: method || 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token() },
          body: payload === undefined ? undefined : JSON.stringify(payload) });
        let body = null;
        try { body = await response.json(); } catch (e) { body = null; }
        return { ok: response.ok, status: response.status, body };
      }
      // Shows an answer in `out`: its outcome as data-outcome, the text as the API gave it.
      function shown(out, answer, text) {
        out.dataset.outcome = answer.ok ? 'answered' : 'error';
        out.dataset.status = String(answer.status);
        out.textContent = answer.ok ? text(answer.body) : 'HTTP ' + answer.status + ' ' + ((answer.body && answer.body.error && (answer.body.error.code + ': ' + answer.body.error.message)) || '');
        refresh();
      }
      async function startJob(kind, payload) {
        shown($('#job-result'), await post(path + '/' + kind, payload), (job) => 'job ' + job.id + ': ' + job.status);
      }
      async function syncList(payload) {
        shown($('#local-list-result'), await post(path + '/local-list/sync', payload),
          (r) => r.upToDate ? 'the pile holds version ' + r.list.version : (r.sent || []).map((s) => s.updateType + ' v' + s.version + ': ' + s.answer).join(', '));
      }

      function chooseActions() {
        const select = $('#command-action'), kept = select.value;
        select.replaceChildren(...(ACTIONS[version] || []).map((name) => el('option', { value: name }, name)));
        if (kept && (ACTIONS[version] || []).includes(kept)) select.value = kept;
        template();
      }
      function template() {
        const t = (TEMPLATES[$('#command-action').value] || {})[version];
        $('#command-payload').value = JSON.stringify(t || {}, null, 1);
      }

      async function refresh() {
        try {
          const pile = await get(path);
          version = pile.ocppVersion || '1.6';
          $('#pile-facts').textContent = [pile.vendor, pile.model, 'firmware ' + (pile.firmwareVersion || '?'), 'OCPP ' + version,
            pile.connected ? 'connected' : 'offline'].filter(Boolean).join(' \u00b7 ');
          document.body.dataset.version = version;
          document.body.dataset.connected = String(Boolean(pile.connected));
          if ($('#command-action').dataset.version !== version) { $('#command-action').dataset.version = version; chooseActions(); }
          rows('#connectors', (pile.connectors || []).map((c) => Object.assign({ attrs: { 'data-connector-id': c.connectorId, 'data-status': c.status } }, c)),
            (c) => [[c.connectorId], [c.status, 'status'], [c.errorCode || ''], [clock(c.since)]]);
        } catch (e) { $('#pile-facts').textContent = String(e.message || e); }
        const parts = [['/commands?limit=50', (list) => rows('#history', list.map((c) => Object.assign({ attrs: { 'data-action': c.action, 'data-outcome': c.outcome } }, c)),
            (c) => [[clock(c.time)], [c.action, 'action'], [c.outcome, 'outcome'], [c.latencyMs ? Math.round(c.latencyMs) : '\u2014'], [c.response || c.errorCode || '', 'json']])],
          ['/notices?limit=50', (list) => rows('#notices', list.map((n) => Object.assign({ attrs: { 'data-kind': n.kind } }, n)),
            (n) => [[clock(n.time)], [n.kind], [n.status, 'status'], [n.requestId === undefined || n.requestId === null ? '' : n.requestId], [n.detail || '', 'detail']])],
          ['/findings?limit=50', (list) => rows('#findings', list, (f) => [[clock(f.time)], [f.rule], [f.detail || '', 'detail']])],
          ['/messages?limit=50', (list) => rows('#frames', list.slice().reverse(), (f) => [[clock(f.time)], [f.direction === 'in' ? '\u2192' : '\u2190'], [typeof f.frame === 'string' ? f.frame : JSON.stringify(f.frame), 'frame']])]];
        parts.push(['/jobs?limit=20', (list) => rows('#jobs', list.map((j) => Object.assign({ attrs: { 'data-job-id': j.id, 'data-kind': j.kind, 'data-status': j.status } }, j)),
            (j) => [[j.id], [j.kind], [j.status, 'status'], [j.pileStatus || ''], [clock(j.updatedAt)], [(j.uploads || []).map((u) => u.name + ' (' + u.size + ' B)').join(', ')]])],
          ['/local-list', (l) => { $('#local-list-facts').dataset.version = l.version; $('#local-list-facts').dataset.inSync = String(Boolean(l.inSync));
            $('#local-list-facts').textContent = 'version ' + l.version + ', ' + (l.entries || []).length + ' tags, ' + (l.inSync ? 'held by the pile' : 'not yet held by the pile')
              + (l.lastAnswer ? ' (last answer ' + l.lastAnswer.status + ')' : '') + (l.notSupported ? ', the pile does not support local lists' : ''); }],
          ['/charging-profiles', (list) => rows('#profiles', list, (p) => [[p.connectorId], [p.chargingProfileId], [p.purpose], [p.stackLevel], [p.transactionId === undefined || p.transactionId === null ? '' : p.transactionId], [clock(p.storedAt)]])]);
        for (const [suffix, show] of parts) { try { show(await get(path + suffix)); } catch (e) { /* shown on the next refresh */ } }
        try {
          const held = await get('/api/reservations?chargePoint=' + encodeURIComponent(id) + '&limit=20');
          $('#reservations tbody').replaceChildren(...held.map((r) => {
            const tr = el('tr', { 'data-reservation-id': r.id, 'data-status': r.status });
            tr.append(el('td', {}, r.id), el('td', {}, r.connectorId), el('td', {}, r.idTag), el('td', {}, clock(r.expiryDate)), el('td', { class: 'status' }, r.status));
            const cell = el('td');
            if (r.status === 'accepted') {
              const cancel = el('button', {}, 'Cancel');
              cancel.addEventListener('click', async () => shown($('#reserve-result'), await post('/api/reservations/' + r.id, undefined, 'DELETE'), (x) => 'reservation ' + x.id + ': ' + x.status));
              cell.append(cancel);
            }
            tr.append(cell);
            return tr;
          }));
        } catch (e) { /* shown on the next refresh */ }
        try {
          const files = await get('/api/firmware?limit=100'), select = $('#firmware-file'), kept = select.value;
          select.replaceChildren(...files.map((f) => el('option', { value: f.name }, f.name)));
          if (kept) select.value = kept;
        } catch (e) { /* shown on the next refresh */ }
      }

      async function readConfiguration() {
        const table = $('#configuration tbody');
        if (version !== '1.6') {
          const model = await get(path + '/device-model');
          rows('#configuration', model, (v) => [[v.component + '.' + v.variable + (v.attribute !== 'Actual' ? ' (' + v.attribute + ')' : '')], [v.value || ''], ['']]);
          return;
        }
        const answer = await send('GetConfiguration', {});
        if (!answer.ok) { table.replaceChildren(el('tr', {}, 'GetConfiguration: ' + ((answer.body && answer.body.error && answer.body.error.message) || answer.status))); return; }
        table.replaceChildren(...(answer.body.configurationKey || []).map((k) => {
          const tr = el('tr', { 'data-key': k.key });
          const input = el('input', { value: k.value === undefined ? '' : k.value, size: 20 });
          if (k.readonly) input.disabled = true;
          const button = el('button', {}, 'Change');
          button.disabled = Boolean(k.readonly);
          button.addEventListener('click', async () => {
            const result = await send('ChangeConfiguration', { key: k.key, value: input.value });
            tr.dataset.result = result.ok ? result.body.status : 'error';
            refresh();
          });
          const action = el('td'); action.append(button);
          const value = el('td'); value.append(input);
          tr.append(el('td', {}, k.key), value, action);
          return tr;
        }));
        refresh();
      }

      $('#token').value = sessionStorage.getItem('pilegate-token') || '';
      $('#token').addEventListener('change', () => sessionStorage.setItem('pilegate-token', token()));
      $('#pile-id').textContent = id;
      document.title = 'PileGate \u00b7 ' + id;
      $('#command-action').addEventListener('change', template);
      $('#configuration-read').addEventListener('click', () => { readConfiguration().catch((e) => { $('#configuration tbody').replaceChildren(el('tr', {}, String(e.message || e))); }); });
      $('#command-send').addEventListener('click', async () => {
        const out = $('#command-result');
        let payload;
        try { payload = JSON.parse($('#command-payload').value || '{}'); } catch (e) { out.dataset.outcome = 'error'; out.textContent = 'The payload is not JSON: ' + e.message; return; }
        out.dataset.outcome = 'sending';
        out.textContent = 'sending ' + $('#command-action').value + ' \u2026';
        const answer = await send($('#command-action').value, payload);
        out.dataset.outcome = answer.ok ? 'answered' : 'error';
        out.dataset.status = String(answer.status);
        out.textContent = answer.ok ? JSON.stringify(answer.body, null, 1)
          : 'HTTP ' + answer.status + ' ' + ((answer.body && answer.body.error && (answer.body.error.code + ': ' + answer.body.error.message + (answer.body.error.details ? '\n' + JSON.stringify(answer.body.error.details) : ''))) || '');
        refresh();
      });
      $('#firmware-update').addEventListener('click', () => startJob('firmware-update', { fileName: $('#firmware-file').value }));
      $('#diagnostics-get').addEventListener('click', () => startJob('diagnostics', {}));
      $('#log-get').addEventListener('click', () => startJob('logs', { logType: $('#log-type').value }));
      $('#local-list-sync').addEventListener('click', () => syncList({}));
      $('#local-list-full').addEventListener('click', () => syncList({ updateType: 'Full' }));
      $('#reserve').addEventListener('click', async () => {
        const minutes = Math.max(1, Number($('#reserve-minutes').value) || 15);
        const answer = await post('/api/reservations', { chargePointId: id, connectorId: Number($('#reserve-connector').value) || 0, idTag: $('#reserve-tag').value,
          expiryDate: new Date(Date.now() + minutes * 60000).toISOString() });
        shown($('#reserve-result'), answer, (r) => 'reservation ' + r.id + ': ' + r.status);
      });
      chooseActions();
      refresh();
      setInterval(refresh, 5000);
    })();
    </script>
    </body>
    </html>
    """#.replacingOccurrences(of: "__ACTIONS__", with: actions)
}
