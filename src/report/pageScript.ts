// The JavaScript that runs in the report page (plain ES2017, no modules): draws every figure with
// plotly and drives the sortable tables (the strategy table, a section's table such as the mined
// patterns): sort by a header click, text/group/range filters, pages.
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

  // ---- sortable tables (the strategy table, and any section's table such as the mined patterns) ----
  var PAGE_SIZE = 50;

  function format(value, kind) {
    if (value === null || value === undefined) return '\u2013';
    if (kind === 'text') return String(value);
    if (kind === 'percent') return (value * 100).toFixed(2) + ' %';
    if (kind === 'bps') return (value * 1e4).toFixed(1) + ' bp';
    if (kind === 'integer') return Math.round(value).toLocaleString('en-US');
    return Math.abs(value) >= 1000 ? value.toExponential(2) : value.toFixed(3);
  }

  // Percent and basis-point columns are range-filtered in the unit they are shown in.
  function displayScale(kind) {
    return kind === 'percent' ? 100 : kind === 'bps' ? 1e4 : 1;
  }

  function numberOrNull(text) {
    if (text.trim() === '') return null;
    var value = Number(text);
    return isFinite(value) ? value : null;
  }

  // Drives one table: 'table' is its model (columns, rows, sortKey, sortDescending), 'wrapper' the
  // element holding its controls (each found by data-control) and the <table>; 'groupKey' is the
  // column of the drop-down filter; 'noun' = [singular, plural] for the status line.
  function setUpTable(table, wrapper, groupKey, noun) {
    function control(name) { return wrapper.querySelector('[data-control="' + name + '"]'); }
    var tableId = wrapper.getAttribute('data-table');
    var head = document.getElementById(tableId + '-head');
    var body = document.getElementById(tableId + '-body');
    var keyIndex = {};
    table.columns.forEach(function (column, i) { keyIndex[column.key] = i; });
    var state = { sortKey: table.sortKey, descending: table.sortDescending, text: '', group: '', rangeKey: '', min: null, max: null, page: 0 };
    var visible = [];

    function applyFilters() {
      var text = state.text.toLowerCase();
      var textColumns = table.columns.map(function (c, i) { return c.kind === 'text' ? i : -1; }).filter(function (i) { return i >= 0; });
      var groupIndex = keyIndex[groupKey];
      var rangeIndex = state.rangeKey ? keyIndex[state.rangeKey] : -1;
      visible = table.rows.filter(function (row) {
        if (state.group && row[groupIndex] !== state.group) return false;
        if (rangeIndex >= 0 && (state.min !== null || state.max !== null)) {
          var v = row[rangeIndex];
          if (v === null) return false;
          var scaled = v * displayScale(table.columns[rangeIndex].kind);
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
      // Array.prototype.sort is stable: ties keep the model's row order (rank order).
      visible.sort(function (a, b) {
        var x = a[index], y = b[index];
        if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);
        if (x < y) return -direction;
        if (x > y) return direction;
        return 0;
      });
    }

    function renderTable() {
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
          // Numbers sort descending first; text and the rank column (the initial ascending sort) ascending.
          else { state.sortKey = column.key; state.descending = column.kind !== 'text' && !(column.key === table.sortKey && !table.sortDescending); }
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
      control('status').textContent = visible.length === 0
        ? 'no ' + noun[0] + ' matches'
        : 'showing ' + (start + 1) + '\u2013' + (start + rows.length) + ' of ' + visible.length + ' (' + table.rows.length + ' ' + noun[1] + ')';
      control('page').textContent = 'page ' + (state.page + 1) + ' / ' + pages;
      control('prev').disabled = state.page === 0;
      control('next').disabled = state.page >= pages - 1;
    }

    function update() {
      applyFilters();
      renderTable();
    }

    var groupSelect = control('group');
    var groups = {};
    table.rows.forEach(function (row) { groups[row[keyIndex[groupKey]]] = true; });
    Object.keys(groups).sort().forEach(function (group) {
      var option = document.createElement('option');
      option.value = group;
      option.textContent = group || '(none)';
      groupSelect.appendChild(option);
    });
    var rangeSelect = control('range-column');
    table.columns.forEach(function (column) {
      if (column.kind === 'text') return;
      var option = document.createElement('option');
      option.value = column.key;
      option.textContent = column.label + (column.kind === 'percent' ? ' (%)' : column.kind === 'bps' ? ' (bp)' : '');
      rangeSelect.appendChild(option);
    });
    control('filter').addEventListener('input', function (event) { state.text = event.target.value; state.page = 0; update(); });
    groupSelect.addEventListener('change', function (event) { state.group = event.target.value; state.page = 0; update(); });
    rangeSelect.addEventListener('change', function (event) { state.rangeKey = event.target.value; state.page = 0; update(); });
    control('min').addEventListener('input', function (event) { state.min = numberOrNull(event.target.value); state.page = 0; update(); });
    control('max').addEventListener('input', function (event) { state.max = numberOrNull(event.target.value); state.page = 0; update(); });
    control('prev').addEventListener('click', function () { state.page -= 1; renderTable(); });
    control('next').addEventListener('click', function () { state.page += 1; renderTable(); });
    update();
  }

  function setUpTables() {
    setUpTable(model.table, document.querySelector('.sortable[data-table="strategy-table"]'), 'family', ['strategy', 'strategies']);
    model.sections.forEach(function (section) {
      var spec = section.sortableTable;
      if (!spec) return;
      var wrapper = document.querySelector('.sortable[data-table="' + spec.id + '"]');
      if (wrapper) setUpTable(spec, wrapper, spec.groupKey, spec.rowNoun);
    });
  }

  setUpTables();
  renderFigures().then(function () {
    document.body.setAttribute('data-rendered', 'true');
  }, function () {
    document.body.setAttribute('data-rendered', 'error');
  });
})();
`;
