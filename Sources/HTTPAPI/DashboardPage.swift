/// The dashboard served at `/`: one self-contained page (HTML, CSS and JavaScript, no build
/// step, nothing loaded from elsewhere) that reads the JSON API, follows `/api/events` and
/// re-polls every 10 s as a fallback. API strings reach the page only through `textContent`.
/// Stable ids and data attributes (`#sessions tr[data-session-id] td.kwh`, `#network-summary`,
/// `#findings`, `#status-line[data-state]`) are what Tests/Browser/test_dashboard.py reads.
enum DashboardPage {
    static let html: String = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>PileGate dashboard</title>
    <link rel="icon" href="data:,">
    <style>
      :root { --bg: #f5f6f8; --fg: #1d2330; --muted: #6b7385; --line: #dde1e8;
              --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --busy: #0969da; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
      header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 1.5rem; padding: .6rem 1rem;
               background: #fff; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
      h1 { font-size: 1.1rem; margin: 0; }
      h2 { font-size: 1rem; margin: 0 0 .5rem; }
      main { display: grid; gap: 1rem; padding: 1rem; grid-template-columns: repeat(auto-fit, minmax(34rem, 1fr)); }
      section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem;
                overflow: auto; max-height: 34rem; }
      section.wide { grid-column: 1 / -1; }
      table { border-collapse: collapse; width: 100%; }
      th, td { text-align: left; padding: .2rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
      th { position: sticky; top: 0; background: #fff; color: var(--muted); font-weight: 600; }
      .num { text-align: right; font-variant-numeric: tabular-nums; }
      td.detail { white-space: normal; }
      tr.total td { font-weight: 600; }
      .muted, .empty { color: var(--muted); }
      .empty[hidden] { display: none; }
      .connector { display: inline-block; padding: 0 .4rem; margin-right: .25rem; border-radius: 3px; background: #eef1f5; }
      /* Status colours on the status itself (connector chips, summary headers, session state), not whole rows. */
      .connector[data-status="Available"], th[data-status="Available"] { color: var(--ok); }
      .connector[data-status="Charging"], th[data-status="Charging"], tr[data-status="active"] td.state { color: var(--busy); }
      .connector[data-status="Faulted"], .connector[data-status="Unavailable"], th[data-status="Faulted"],
      th[data-status="Unavailable"], tr[data-connected="false"] td.online { color: var(--bad); }
      .connector[data-status="Preparing"], .connector[data-status^="Suspended"], .connector[data-status="Finishing"],
      th[data-status="Preparing"], th[data-status^="Suspended"], th[data-status="Finishing"], tr[data-status="starting"] td.state { color: var(--warn); }
      td[data-count="0"] { color: #c4c9d3; }
      tr[data-severity="error"] td.severity { color: var(--bad); }
      tr[data-severity="warning"] td.severity { color: var(--warn); }
      #status-line .dot { color: var(--muted); }
      #status-line[data-state="live"] .dot { color: var(--ok); }
      #status-line[data-state="reconnecting"] .dot, #status-line[data-state="closed"] .dot { color: var(--bad); }
      #status-line[data-poll="error"] #last-poll { color: var(--bad); }
    </style>
    </head>
    <body>
    <header>
      <h1>PileGate</h1><a href="/sites">sites</a>
      <div id="status-line" data-state="connecting">
        <span class="dot">&#9679;</span> events: <span id="connection-state">connecting</span>
        &middot; last event: <span id="last-event">none yet</span>
        &middot; last poll: <span id="last-poll">never</span>
      </div>
    </header>
    <main>
      <section class="wide">
        <h2>Connectors by network and status</h2>
        <table id="network-summary"><thead><tr></tr></thead><tbody></tbody></table>
      </section>
      <section class="wide">
        <h2>Active sessions <span id="session-count" class="muted"></span></h2>
        <table id="sessions">
          <thead><tr><th>Session</th><th>Pile</th><th class="num">Conn.</th><th>Id tag</th><th>State</th>
            <th class="num">kW</th><th class="num">kWh</th><th class="num">SoC %</th><th class="num">Cost &yen;</th>
            <th class="num">Elapsed</th></tr></thead>
          <tbody></tbody>
        </table>
        <p id="sessions-empty" class="empty">No active sessions.</p>
      </section>
      <section class="wide">
        <h2>Piles <span id="pile-count" class="muted"></span></h2>
        <table id="piles">
          <thead><tr><th>Pile</th><th>Network</th><th>Station</th><th class="num">Max kW</th><th>Online</th>
            <th>Connectors</th><th class="num">Price &yen;/kWh</th></tr></thead>
          <tbody></tbody>
        </table>
      </section>
      <section class="wide">
        <h2>Recent findings</h2>
        <table id="findings">
          <thead><tr><th>Time</th><th>Severity</th><th>Rule</th><th>Pile</th><th>Session</th><th>Detail</th></tr></thead>
          <tbody></tbody>
        </table>
        <p id="findings-empty" class="empty">No findings.</p>
      </section>
    </main>
    <script>
    (function () {
      'use strict';
      // Everything from the API goes into the page through textContent or attributes, never as HTML.
      const STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing',
                        'Reserved', 'Unavailable', 'Faulted'];
      const OPEN_SESSION = new Set(['starting', 'active']);
      const POLL_MS = 10000, MAX_FINDINGS = 50;

      const piles = new Map();       // chargePointId -> pile object from /api/chargepoints
      const sessions = new Map();    // session id -> {session, at: ms when received}
      const ended = new Map();       // session id -> ms when an event said it ended (a slower poll must not revive it)
      const sessionRows = new Map(); // session id -> <tr>
      const pileRows = new Map();    // chargePointId -> <tr>
      let findings = [];
      let polling = false, pollSoon = null, summarySoon = null;

      const $ = (selector) => document.querySelector(selector);

      function el(tag, attrs, text) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
        if (text !== undefined && text !== null) node.textContent = String(text);
        return node;
      }
      const isNumber = (v) => typeof v === 'number' && isFinite(v);
      const fixed = (v, digits) => isNumber(v) ? v.toFixed(digits) : '\u2014';
      const yuan = (fen) => isNumber(fen) ? (fen / 100).toFixed(2) : '\u2014';
      function clock(time) {
        const date = time ? new Date(time) : null;
        return date && !isNaN(date) ? date.toLocaleTimeString() : '\u2014';
      }
      function duration(seconds) {
        if (!isNumber(seconds) || seconds < 0) return '\u2014';
        const s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
        const mm = h ? h + ':' + String(m).padStart(2, '0') : String(m);
        return mm + ':' + String(s % 60).padStart(2, '0');
      }
      function setCell(tr, name, text) {
        const cell = tr.querySelector('td.' + name);
        if (cell && cell.textContent !== String(text)) cell.textContent = String(text);
      }

      // ---- status line -------------------------------------------------------------------------
      function setState(state) {
        $('#status-line').dataset.state = state;
        $('#connection-state').textContent = state;
      }
      function noteEvent(name) {
        const now = new Date();
        $('#status-line').dataset.lastEvent = now.toISOString();
        $('#last-event').textContent = now.toLocaleTimeString() + ' (' + name + ')';
      }

      // ---- network x status summary ---------------------------------------------------------------
      function scheduleSummary() {
        if (!summarySoon) summarySoon = setTimeout(() => { summarySoon = null; renderSummary(); }, 250);
      }
      function renderSummary() {
        const columns = STATUSES.slice();
        const counts = new Map(); // network -> {piles, online, statuses: Map}
        const total = { piles: 0, online: 0, statuses: new Map() };
        for (const pile of piles.values()) {
          const network = String(pile.network || 'unknown');
          if (!counts.has(network)) counts.set(network, { piles: 0, online: 0, statuses: new Map() });
          for (const row of [counts.get(network), total]) {
            row.piles += 1;
            if (pile.connected) row.online += 1;
            for (const connector of pile.connectors || []) {
              // A pile that is not connected reports nothing; its last status is stale.
              const status = pile.connected ? String(connector.status) : 'Offline';
              if (!columns.includes(status) && status !== 'Offline') columns.push(status);
              row.statuses.set(status, (row.statuses.get(status) || 0) + 1);
            }
          }
        }
        columns.push('Offline');
        const head = $('#network-summary thead tr');
        head.replaceChildren(el('th', {}, 'Network'), el('th', { class: 'num' }, 'Piles'), el('th', { class: 'num' }, 'Online'),
          ...columns.map((status) => el('th', { class: 'num', 'data-status': status }, status)));
        const rowFor = (network, row, attrs) => {
          const tr = el('tr', Object.assign({ 'data-network': network }, attrs));
          tr.append(el('td', {}, network), el('td', { class: 'num piles' }, row.piles), el('td', { class: 'num online' }, row.online));
          for (const status of columns) {
            const count = row.statuses.get(status) || 0;
            tr.append(el('td', { class: 'num', 'data-network': network, 'data-status': status, 'data-count': count }, count));
          }
          return tr;
        };
        const rows = [...counts.keys()].sort().map((network) => rowFor(network, counts.get(network), {}));
        rows.push(rowFor('all', total, { class: 'total' }));
        $('#network-summary tbody').replaceChildren(...rows);
      }

      // ---- piles ---------------------------------------------------------------------------------
      function pileRow(pile) {
        let tr = pileRows.get(pile.id);
        if (!tr) {
          tr = el('tr');
          for (const name of ['pile', 'network', 'station', 'power num', 'online', 'connectors', 'price num']) tr.append(el('td', { class: name }));
          pileRows.set(pile.id, tr);
        }
        tr.dataset.chargePointId = String(pile.id);
        tr.dataset.network = String(pile.network || '');
        tr.dataset.connected = String(Boolean(pile.connected));
        const pileCell = tr.querySelector('td.pile');
        if (pileCell.dataset.id !== String(pile.id)) {
          pileCell.dataset.id = String(pile.id);
          pileCell.replaceChildren(el('a', { href: '/piles/' + encodeURIComponent(pile.id) }, pile.id));
        }
        setCell(tr, 'network', pile.network || '\u2014');
        setCell(tr, 'station', [pile.station, pile.city].filter(Boolean).join(', ') || '\u2014');
        setCell(tr, 'power', isNumber(pile.maxPowerKW) ? pile.maxPowerKW + (pile.current ? ' ' + String(pile.current).toUpperCase() : '') : '\u2014');
        setCell(tr, 'online', pile.connected ? 'yes' : 'no');
        const spans = (pile.connectors || []).slice().sort((a, b) => a.connectorId - b.connectorId).map((c) => {
          const span = el('span', { class: 'connector', 'data-connector-id': c.connectorId, 'data-status': c.status }, c.connectorId + ' ' + c.status);
          span.title = (c.errorCode && c.errorCode !== 'NoError' ? c.errorCode + ', ' : '') + 'since ' + clock(c.since);
          return span;
        });
        tr.querySelector('td.connectors').replaceChildren(...spans);
        const price = pile.price;
        const priceCell = tr.querySelector('td.price');
        priceCell.dataset.tier = price ? String(price.tier) : '';
        setCell(tr, 'price', price && isNumber(price.totalFenPerKWh) ? (price.totalFenPerKWh / 100).toFixed(2) + ' ' + price.tier : '\u2014');
        return tr;
      }
      function renderPiles() {
        for (const id of [...pileRows.keys()]) if (!piles.has(id)) pileRows.delete(id);
        const ordered = [...piles.values()].sort((a, b) =>
          String(a.network).localeCompare(String(b.network)) || String(a.id).localeCompare(String(b.id)));
        $('#piles tbody').replaceChildren(...ordered.map(pileRow));
        $('#pile-count').textContent = '(' + piles.size + ')';
        renderSummary();
      }
      function pileChanged(id) {
        const pile = piles.get(id);
        if (pile) pileRow(pile);
        scheduleSummary();
      }

      // ---- sessions ------------------------------------------------------------------------------
      const SESSION_CELLS = ['id', 'pile', 'conn num', 'idtag', 'state', 'kw num', 'kwh num', 'soc num', 'cost num', 'elapsed num'];
      function elapsedOf(entry) {
        const live = entry.session.live || {};
        if (!isNumber(live.elapsedSeconds)) return null;
        const since = entry.session.status === 'active' ? (Date.now() - entry.at) / 1000 : 0;
        return live.elapsedSeconds + since;
      }
      function renderSession(id) {
        const entry = sessions.get(id);
        let tr = sessionRows.get(id);
        if (!entry) {
          if (tr) { tr.remove(); sessionRows.delete(id); }
          return;
        }
        if (!tr) {
          tr = el('tr');
          for (const name of SESSION_CELLS) tr.append(el('td', { class: name }));
          sessionRows.set(id, tr);
          const body = $('#sessions tbody');
          const after = [...body.children].find((row) => Number(row.dataset.sessionId) < id); // newest first
          body.insertBefore(tr, after || null);
        }
        const s = entry.session, live = s.live || {};
        tr.dataset.sessionId = String(s.id);
        tr.dataset.status = String(s.status);
        tr.dataset.chargePointId = String(s.chargePointId);
        setCell(tr, 'id', s.id);
        setCell(tr, 'pile', s.chargePointId);
        setCell(tr, 'conn', s.connectorId);
        setCell(tr, 'idtag', s.idTag || '\u2014');
        setCell(tr, 'state', s.status);
        setCell(tr, 'kw', fixed(live.powerKW, 1));
        setCell(tr, 'kwh', fixed(isNumber(live.energyKWh) ? live.energyKWh : (isNumber(s.energyWh) ? s.energyWh / 1000 : null), 2));
        setCell(tr, 'soc', isNumber(live.soc) ? Math.round(live.soc) : '\u2014');
        setCell(tr, 'cost', yuan(isNumber(live.costFen) ? live.costFen : s.costFen));
        setCell(tr, 'elapsed', duration(elapsedOf(entry)));
      }
      function sessionsChanged(ids) {
        for (const id of ids) renderSession(id);
        $('#sessions-empty').hidden = sessions.size > 0;
        $('#session-count').textContent = '(' + sessions.size + ')';
      }
      function tickElapsed() {
        for (const [id, entry] of sessions) {
          const tr = sessionRows.get(id);
          if (tr) setCell(tr, 'elapsed', duration(elapsedOf(entry)));
        }
      }

      // ---- findings ------------------------------------------------------------------------------
      function renderFindings() {
        const rows = findings.map((f) => {
          const tr = el('tr', { 'data-rule': f.rule, 'data-severity': f.severity });
          tr.append(el('td', { class: 'time' }, clock(f.time)), el('td', { class: 'severity' }, f.severity),
            el('td', { class: 'rule' }, f.rule), el('td', { class: 'pile' }, f.chargePointId || '\u2014'),
            el('td', { class: 'session' }, f.sessionId === null || f.sessionId === undefined ? '\u2014' : f.sessionId),
            el('td', { class: 'detail' }, f.detail || ''));
          return tr;
        });
        $('#findings tbody').replaceChildren(...rows);
        $('#findings-empty').hidden = findings.length > 0;
      }

      // ---- polling (initial load and fallback) --------------------------------------------------
      async function getJSON(path) {
        const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
        return response.json();
      }
      async function poll() {
        if (polling) return;
        polling = true;
        try { await pollOnce(); } finally { polling = false; }
      }
      async function pollOnce() {
        const started = Date.now();
        const paths = ['/api/chargepoints', '/api/sessions?status=active', '/api/sessions?status=starting',
                       '/api/findings?limit=' + MAX_FINDINGS];
        const [cps, active, starting, found] = await Promise.allSettled(paths.map(getJSON));
        const failures = [cps, active, starting, found].filter((r) => r.status === 'rejected').map((r) => String((r.reason && r.reason.message) || r.reason));
        const list = (r) => r.status === 'fulfilled' && Array.isArray(r.value);
        if (list(cps)) {
          piles.clear();
          for (const pile of cps.value) piles.set(pile.id, pile);
          renderPiles();
        }
        if (list(active) && list(starting)) {
          const now = Date.now(), listed = new Set();
          for (const s of [].concat(active.value, starting.value)) {
            listed.add(s.id);
            const current = sessions.get(s.id);
            if (ended.has(s.id) || (current && current.at > started)) continue; // an event was newer
            sessions.set(s.id, { session: s, at: now });
          }
          for (const [id, entry] of sessions) if (!listed.has(id) && entry.at <= started) sessions.delete(id);
          for (const [id, at] of ended) if (now - at > 60000) ended.delete(id);
          sessionsChanged(new Set([...sessions.keys(), ...sessionRows.keys()]));
        }
        if (list(found)) {
          findings = found.value.slice(0, MAX_FINDINGS);
          renderFindings();
        }
        $('#status-line').dataset.poll = failures.length ? 'error' : 'ok';
        $('#last-poll').textContent = new Date().toLocaleTimeString() + (failures.length ? ' \u2014 failed: ' + failures.join('; ') : '');
      }
      function pollSoonForUnknownPile() {
        if (!pollSoon) pollSoon = setTimeout(() => { pollSoon = null; poll(); }, 1000);
      }

      // ---- live events ---------------------------------------------------------------------------
      const handlers = {
        status(d) {
          const pile = piles.get(d.chargePointId);
          if (!pile) return pollSoonForUnknownPile();
          pile.connectors = pile.connectors || [];
          let connector = pile.connectors.find((c) => c.connectorId === d.connectorId);
          if (!connector) pile.connectors.push(connector = { connectorId: d.connectorId });
          Object.assign(connector, { status: d.status, errorCode: d.errorCode, since: d.time });
          pileChanged(pile.id);
        },
        connection(d) {
          const pile = piles.get(d.chargePointId);
          if (!pile) return pollSoonForUnknownPile();
          pile.connected = Boolean(d.connected);
          pile.lastSeen = d.time;
          pileChanged(pile.id);
        },
        session(d) {
          if (OPEN_SESSION.has(d.status)) {
            sessions.set(d.id, { session: d, at: Date.now() });
          } else {
            sessions.delete(d.id);
            ended.set(d.id, Date.now());
          }
          sessionsChanged([d.id]);
        },
        finding(d) {
          findings.unshift(d);
          findings.length = Math.min(findings.length, MAX_FINDINGS);
          renderFindings();
        },
      };
      function connect() {
        setState('connecting');
        const source = new EventSource('/api/events');
        source.onopen = () => setState('live');
        source.onerror = () => {
          if (source.readyState === EventSource.CLOSED) { // the browser gave up; try again later
            setState('closed');
            source.close();
            setTimeout(connect, 5000);
          } else {
            setState('reconnecting');
          }
        };
        for (const [name, handle] of Object.entries(handlers)) {
          source.addEventListener(name, (event) => {
            let data;
            try { data = JSON.parse(event.data); } catch (error) { return; }
            if (!data || typeof data !== 'object') return;
            noteEvent(name);
            handle(data);
          });
        }
      }

      renderSummary();
      sessionsChanged([]);
      renderFindings();
      connect(); // subscribe first, so nothing between the first poll and the subscription is lost
      poll();
      setInterval(poll, POLL_MS);
      setInterval(tickElapsed, 1000);
    })();
    </script>
    </body>
    </html>
    """#
}
