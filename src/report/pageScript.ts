// The JavaScript that runs in the report page (plain ES2017, no modules): draws every figure with
// plotly and drives the strategy table (sort by a header click, text/family/range filters, pages).
// It only lays out data embedded by the builder; it computes no metric.

/** Source of the page script (inlined into the HTML after plotly). */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('report-data').textContent);

  function renderFigures() {
    var jobs = [];
    model.sections.forEach(function (section) {
      section.figures.forEach(function (figure) {
        var element = document.getElementById(figure.id);
        if (!element) return;
        var layout = Object.assign({ height: figure.heightPx || 420, autosize: true }, figure.layout);
        var config = { responsive: true, displaylogo: false, showLink: false, showSendToCloud: false, showEditInChartStudio: false, modeBarButtonsToRemove: ['sendDataToCloud'] };
        jobs.push(Plotly.newPlot(element, figure.data, layout, config).catch(function (error) {
          element.textContent = 'chart failed: ' + error;
          console.error('figure ' + figure.id + ' failed: ' + error);
          throw error;
        }));
      });
    });
    return Promise.all(jobs);
  }

  // ---- strategy table ----
  var table = model.table;
  var PAGE_SIZE = 50;
  var keyIndex = {};
  table.columns.forEach(function (column, i) { keyIndex[column.key] = i; });
  var state = { sortKey: table.sortKey, descending: table.sortDescending, text: '', family: '', rangeKey: '', min: null, max: null, page: 0 };
  var visible = [];

  function format(value, kind) {
    if (value === null || value === undefined) return '\u2013';
    if (kind === 'text') return String(value);
    if (kind === 'percent') return (value * 100).toFixed(2) + ' %';
    if (kind === 'integer') return Math.round(value).toLocaleString('en-US');
    return Math.abs(value) >= 1000 ? value.toExponential(2) : value.toFixed(3);
  }

  function applyFilters() {
    var text = state.text.toLowerCase();
    var textColumns = table.columns.map(function (c, i) { return c.kind === 'text' ? i : -1; }).filter(function (i) { return i >= 0; });
    var familyIndex = keyIndex.family;
    var rangeIndex = state.rangeKey ? keyIndex[state.rangeKey] : -1;
    visible = table.rows.filter(function (row) {
      if (state.family && row[familyIndex] !== state.family) return false;
      if (rangeIndex >= 0 && (state.min !== null || state.max !== null)) {
        var v = row[rangeIndex];
        if (v === null) return false;
        var scaled = table.columns[rangeIndex].kind === 'percent' ? v * 100 : v;
        if (state.min !== null && scaled < state.min) return false;
        if (state.max !== null && scaled > state.max) return false;
      }
      if (!text) return true;
      for (var k = 0; k < textColumns.length; k++) {
        if (String(row[textColumns[k]]).toLowerCase().indexOf(text) >= 0) return true;
      }
      return false;
    });
    var index = keyIndex[state.sortKey];
    var direction = state.descending ? -1 : 1;
    visible.sort(function (a, b) {
      var x = a[index], y = b[index];
      if (x === null || y === null) return x === y ? a[0] - b[0] : (x === null ? 1 : -1);
      if (x < y) return -direction;
      if (x > y) return direction;
      return a[0] - b[0];
    });
  }

  function renderTable() {
    var head = document.getElementById('strategy-table-head');
    var body = document.getElementById('strategy-table-body');
    head.innerHTML = '';
    var tr = document.createElement('tr');
    table.columns.forEach(function (column) {
      var th = document.createElement('th');
      th.textContent = column.label + (column.key === state.sortKey ? (state.descending ? ' \u25BC' : ' \u25B2') : '');
      th.setAttribute('data-key', column.key);
      th.setAttribute('aria-sort', column.key === state.sortKey ? (state.descending ? 'descending' : 'ascending') : 'none');
      th.className = column.kind === 'text' ? 'text' : 'number';
      th.addEventListener('click', function () {
        if (state.sortKey === column.key) state.descending = !state.descending;
        else { state.sortKey = column.key; state.descending = column.kind !== 'text' && column.key !== 'rank'; }
        state.page = 0;
        update();
      });
      tr.appendChild(th);
    });
    head.appendChild(tr);
    var pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE_SIZE;
    var rows = visible.slice(start, start + PAGE_SIZE);
    var html = [];
    rows.forEach(function (row) {
      html.push('<tr>');
      table.columns.forEach(function (column, i) {
        var text = format(row[i], column.kind).replace(/&/g, '&amp;').replace(/</g, '&lt;');
        html.push('<td class="' + (column.kind === 'text' ? 'text' : 'number') + '">' + text + '</td>');
      });
      html.push('</tr>');
    });
    body.innerHTML = html.join('');
    document.getElementById('table-status').textContent = visible.length === 0
      ? 'no strategy matches'
      : 'showing ' + (start + 1) + '\u2013' + (start + rows.length) + ' of ' + visible.length + ' (' + table.rows.length + ' strategies)';
    document.getElementById('table-page').textContent = 'page ' + (state.page + 1) + ' / ' + pages;
    document.getElementById('table-prev').disabled = state.page === 0;
    document.getElementById('table-next').disabled = state.page >= pages - 1;
  }

  function update() {
    applyFilters();
    renderTable();
  }

  function numberOrNull(text) {
    if (text.trim() === '') return null;
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  function setUpTable() {
    var familySelect = document.getElementById('table-family');
    var families = {};
    table.rows.forEach(function (row) { families[row[keyIndex.family]] = true; });
    Object.keys(families).sort().forEach(function (family) {
      var option = document.createElement('option');
      option.value = family;
      option.textContent = family || '(none)';
      familySelect.appendChild(option);
    });
    var rangeSelect = document.getElementById('table-range-column');
    table.columns.forEach(function (column) {
      if (column.kind === 'text') return;
      var option = document.createElement('option');
      option.value = column.key;
      option.textContent = column.label + (column.kind === 'percent' ? ' (%)' : '');
      rangeSelect.appendChild(option);
    });
    document.getElementById('table-filter').addEventListener('input', function (event) { state.text = event.target.value; state.page = 0; update(); });
    familySelect.addEventListener('change', function (event) { state.family = event.target.value; state.page = 0; update(); });
    rangeSelect.addEventListener('change', function (event) { state.rangeKey = event.target.value; state.page = 0; update(); });
    document.getElementById('table-min').addEventListener('input', function (event) { state.min = numberOrNull(event.target.value); state.page = 0; update(); });
    document.getElementById('table-max').addEventListener('input', function (event) { state.max = numberOrNull(event.target.value); state.page = 0; update(); });
    document.getElementById('table-prev').addEventListener('click', function () { state.page -= 1; renderTable(); });
    document.getElementById('table-next').addEventListener('click', function () { state.page += 1; renderTable(); });
    update();
  }

  setUpTable();
  renderFigures().then(function () {
    document.body.setAttribute('data-rendered', 'true');
  }, function () {
    document.body.setAttribute('data-rendered', 'error');
  });
})();
`;
