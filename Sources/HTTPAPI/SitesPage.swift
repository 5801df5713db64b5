/// The sites page served at `/sites`: per managed site, a chart of its measured power
/// (the piles' own meter values) against its limit, and a bar per charging pile (allocated,
/// accepted limit, measured). Self-contained; polls `/api/sites/{id}` and its history every
/// 2 s and sooner on a session event. API strings reach the page only through
/// `textContent`. Stable ids and attributes (`section.site[data-site-id]`, `svg.site-chart`
/// with `polyline.power` and `polyline.limit`, `tr[data-pile]`) are what
/// Tests/Browser/test_sites_page.py reads.
enum SitesPage {
    static let html: String = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>PileGate sites</title>
    <link rel="icon" href="data:,">
    <style>
      :root { --bg: #f5f6f8; --fg: #1d2330; --muted: #6b7385; --line: #dde1e8; --power: #0969da; --limit: #cf222e;
              --share: #9a6700; --alloc: #b6d4fb; --ok: #1a7f37; }
      body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
      header { display: flex; gap: 1.5rem; align-items: baseline; padding: .6rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
      h1 { font-size: 1.1rem; margin: 0; }
      h2 { font-size: 1rem; margin: 0 0 .25rem; }
      main { display: grid; gap: 1rem; padding: 1rem; grid-template-columns: repeat(auto-fit, minmax(38rem, 1fr)); }
      section.site { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
      .figures { color: var(--muted); margin-bottom: .5rem; }
      .figures b { color: var(--fg); font-variant-numeric: tabular-nums; }
      .site[data-over="true"] .figures .measured { color: var(--limit); }
      svg.site-chart { width: 100%; height: auto; background: #fbfcfd; border: 1px solid var(--line); }
      svg .grid { stroke: var(--line); stroke-width: 1; }
      svg .axis { fill: var(--muted); font-size: 13px; }
      polyline { fill: none; stroke-width: 2; }
      polyline.power { stroke: var(--power); }
      polyline.limit { stroke: var(--limit); stroke-dasharray: 6 4; }
      polyline.share { stroke: var(--share); stroke-width: 1; stroke-dasharray: 2 3; }
      .legend span { margin-right: 1rem; }
      .legend .power { color: var(--power); } .legend .limit { color: var(--limit); } .legend .share { color: var(--share); }
      table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
      th, td { text-align: left; padding: .15rem .4rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
      th { color: var(--muted); font-weight: 600; }
      .num { text-align: right; font-variant-numeric: tabular-nums; }
      td.bar { width: 45%; }
      .bar svg { width: 100%; height: 14px; display: block; }
      .bar .alloc { fill: var(--alloc); } .bar .measured { fill: var(--power); } .bar .limit { stroke: var(--limit); stroke-width: 2; vector-effect: non-scaling-stroke; }
      tr[data-state="ignoring"] td.state, tr[data-state="rejected"] td.state { color: var(--limit); font-weight: 600; }
      tr[data-state="following"] td.state { color: var(--ok); }
      .empty { color: var(--muted); padding: 1rem; }
    </style>
    </head>
    <body>
    <header>
      <h1>PileGate sites</h1><a href="/">dashboard</a>
      <span id="last-poll" class="muted">loading…</span>
    </header>
    <main id="sites"><p class="empty" id="no-sites" hidden>No managed sites: give a site a gridLimitKW in the configuration (docs/load-management.md).</p></main>
    <script>
    (() => {
      'use strict';
      const SVG = 'http://www.w3.org/2000/svg';
      const W = 960, H = 300, PAD_L = 60, PAD_R = 10, PAD_T = 12, PAD_B = 26;
      const $ = (s, root = document) => root.querySelector(s);
      function el(tag, attrs = {}, text) {
        const node = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
        if (text !== undefined) node.textContent = String(text);
        return node;
      }
      function svg(tag, attrs = {}, text) {
        const node = document.createElementNS(SVG, tag);
        for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
        if (text !== undefined) node.textContent = String(text);
        return node;
      }
      const num = (x) => (typeof x === 'number' && isFinite(x) ? x : null);
      const kw = (x) => (num(x) === null ? '\u2014' : num(x).toFixed(1));
      async function getJSON(path) {
        const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
        return response.json();
      }

      // The chart: the site's measured power (solid) against its limit (dashed) and the shared part (dotted).
      function chart(series) {
        const box = svg('svg', { class: 'site-chart', viewBox: `0 0 ${W} ${H}`, role: 'img' });
        const points = series.filter((p) => num(p.measuredKW) !== null && num(p.limitKW) !== null);
        const top = Math.max(1, ...points.map((p) => Math.max(p.limitKW, p.measuredKW))) * 1.1;
        const t0 = points.length ? Date.parse(points[0].time) : 0, t1 = points.length ? Date.parse(points[points.length - 1].time) : 1;
        const x = (p) => PAD_L + (W - PAD_L - PAD_R) * (t1 > t0 ? (Date.parse(p.time) - t0) / (t1 - t0) : 1);
        const y = (v) => PAD_T + (H - PAD_T - PAD_B) * (1 - v / top);
        for (let i = 0; i <= 4; i++) {
          const v = (top / 1.1) * i / 4;
          box.append(svg('line', { class: 'grid', x1: PAD_L, x2: W - PAD_R, y1: y(v).toFixed(1), y2: y(v).toFixed(1) }));
          box.append(svg('text', { class: 'axis', x: 2, y: (y(v) + 4).toFixed(1) }, v.toFixed(0) + ' kW'));
        }
        if (points.length) {
          box.append(svg('text', { class: 'axis', x: PAD_L, y: H - 6 }, new Date(t0).toLocaleTimeString()));
          box.append(svg('text', { class: 'axis', x: W - PAD_R, y: H - 6, 'text-anchor': 'end' }, new Date(t1).toLocaleTimeString()));
        }
        const line = (cls, key) => svg('polyline', { class: cls, points: points.map((p) => x(p).toFixed(1) + ',' + y(p[key]).toFixed(1)).join(' ') });
        box.append(line('share', 'allocatableKW'), line('limit', 'limitKW'), line('power', 'measuredKW'));
        box.dataset.points = String(points.length);
        return box;
      }

      // One bar per pile: allocated (light), measured (dark), accepted limit (red tick).
      function bar(p, scale) {
        const box = svg('svg', { viewBox: '0 0 100 14', preserveAspectRatio: 'none' });
        const w = (v) => Math.max(0, Math.min(100, 100 * (num(v) || 0) / scale));
        box.append(svg('rect', { class: 'alloc', x: 0, y: 0, width: w(p.allocatedKW), height: 14 }));
        box.append(svg('rect', { class: 'measured', x: 0, y: 4, width: w(p.measuredKW), height: 6 }));
        if (num(p.limitKW) !== null) box.append(svg('line', { class: 'limit', x1: w(p.limitKW), x2: w(p.limitKW), y1: 0, y2: 14 }));
        return box;
      }

      function render(site, history) {
        let section = $(`section.site[data-site-id="${CSS.escape(site.id)}"]`);
        if (!section) {
          section = el('section', { class: 'site', 'data-site-id': site.id });
          $('#sites').append(section);
        }
        section.dataset.over = String(site.measuredKW > site.limitKW);
        const figures = el('div', { class: 'figures' });
        const figure = (label, value, cls) => { const s = el('span', { class: cls || '' }, label + ' '); s.append(el('b', {}, value)); return s; };
        const shown = [figure('limit', kw(site.limitKW) + ' kW', 'limit'), figure('margin', site.marginPercent + ' %'),
                       figure('measured', kw(site.measuredKW) + ' kW', 'measured'), figure('allocated', kw(site.allocatedKW) + ' kW'),
                       figure('piles', site.piles.length), figure('profiles sent', site.profilesPushed)];
        shown.forEach((s, i) => { if (i) figures.append(' \u00b7 '); figures.append(s); });
        const legend = el('div', { class: 'legend' });
        legend.append(el('span', { class: 'power' }, '\u2014 measured power'), el('span', { class: 'limit' }, '- - limit'),
                      el('span', { class: 'share' }, '\u00b7\u00b7 shared (limit less margin)'));
        const table = el('table');
        const head = el('tr');
        for (const h of ['pile', 'max', 'floor', 'allocated', 'limit', 'measured', '', 'state']) head.append(el('th', h ? {} : { class: 'bar' }, h));
        table.append(head);
        const scale = Math.max(1, ...site.piles.map((p) => Math.max(num(p.maxKW) || 0, num(p.measuredKW) || 0)));
        for (const p of site.piles) {
          const tr = el('tr', { 'data-pile': p.chargePointId + '/' + p.connectorId, 'data-state': p.state });
          const link = el('a', { href: '/piles/' + encodeURIComponent(p.chargePointId) }, p.chargePointId + (p.connectorId > 1 ? ' #' + p.connectorId : ''));
          const name = el('td'); name.append(link);
          const cell = el('td', { class: 'bar' }); cell.append(bar(p, scale));
          tr.append(name, el('td', { class: 'num' }, kw(p.maxKW)), el('td', { class: 'num' }, kw(p.floorKW)), el('td', { class: 'num allocated' }, kw(p.allocatedKW)),
                    el('td', { class: 'num limit' }, kw(p.limitKW)), el('td', { class: 'num measured' }, kw(p.measuredKW)), cell, el('td', { class: 'state' }, p.state));
          table.append(tr);
        }
        section.replaceChildren(el('h2', {}, site.name ? site.name + ' (' + site.id + ')' : site.id), figures, chart(history.series), legend, table);
      }

      let polling = false, soon = null;
      async function poll() {
        if (polling) return;
        polling = true;
        try {
          const sites = await getJSON('/api/sites');
          $('#no-sites').hidden = sites.length > 0;
          const known = new Set(sites.map((s) => s.id));
          for (const section of document.querySelectorAll('section.site')) if (!known.has(section.dataset.siteId)) section.remove();
          for (const s of sites) {
            const id = encodeURIComponent(s.id);
            const [site, history] = await Promise.all([getJSON('/api/sites/' + id), getJSON('/api/sites/' + id + '/history')]);
            render(site, history);
          }
          $('#last-poll').textContent = 'updated ' + new Date().toLocaleTimeString();
        } catch (error) {
          $('#last-poll').textContent = 'update failed: ' + String((error && error.message) || error);
        } finally {
          polling = false;
        }
      }
      function pollSoon() { if (!soon) soon = setTimeout(() => { soon = null; poll(); }, 500); }
      const source = new EventSource('/api/events');
      source.addEventListener('session', pollSoon);
      poll();
      setInterval(poll, 2000);
    })();
    </script>
    </body>
    </html>
    """#
}
