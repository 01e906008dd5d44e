// The Scheduling assistant (views/partials/sessions/_assistant*.ejs): a dialog over the Add
// sessions / Edit session form with one day's availability grid and the proposed session as a
// block to drag, resize or move with the keyboard. The server draws the grid; this script moves
// the block, keeps the dialog's Start date, Time and Duration in step with it, tells who is
// unavailable from each row's slot states, and copies the result back into the form. Every
// request goes through htmx, so it carries the person's token.
(function () {
  'use strict';
  var QUARTER = 15;
  var MIN_LENGTH = 15;
  var MAX_LENGTH = 720;
  var MINUTE_MS = 60000;

  var opener = null;
  var firstLoad = false;
  var focusAfterApply = false;
  var grid = null; // the loaded day: see setUp()
  var drag = null;

  function byId(id) { return document.getElementById(id); }
  function dialog() { return byId('assistant-dialog'); }
  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
  function setStatus(text) { var status = byId('assistant-status'); if (status) status.textContent = text; }

  // ---- Opening, closing and applying ----------------------------------------------------------

  function open(button) {
    var dlg = dialog();
    if (!dlg || dlg.open) return;
    opener = button;
    // Out of the session form: the dialog's fields are not the form's, Enter in them must not
    // save the form, and their changes must not look like changes of the form.
    if (dlg.closest('form')) (byId('main') || document.body).appendChild(dlg);
    grid = null;
    byId('assistant-body').innerHTML = '<p class="assistant-message">Loading the Scheduling assistant…</p>';
    byId('assistant-apply').hidden = true;
    setStatus('');
    firstLoad = true;
    dlg.showModal();
    window.htmx.trigger(byId('assistant-loader'), 'assistant-open');
  }

  function returnFocus() {
    var target = opener && opener.isConnected ? opener : byId('assistant-open');
    if (target) target.focus();
  }

  function apply() {
    var form = byId('session-form');
    if (!form || !grid) return;
    var set = function (name, value) {
      var field = form.elements.namedItem(name);
      if (field) field.value = value;
    };
    set('startDate', grid.date.value);
    set('startTime', grid.time.value);
    set('lengthValue', grid.duration.value);
    set('lengthUnit', 'minutes');
    focusAfterApply = true;
    dialog().close();
    var startDate = form.elements.namedItem('startDate');
    // The form's conflict alert re-checks on change.
    if (startDate) startDate.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // The conflict alert re-renders after Apply: if its button had focus, focus its replacement.
  document.addEventListener('htmx:afterSettle', function () {
    if (!focusAfterApply) return;
    if (opener && !opener.isConnected && (document.activeElement === document.body || !document.activeElement)) {
      var replacement = document.querySelector('#conflicts [data-assistant-open]') || byId('assistant-open');
      if (replacement) replacement.focus();
    }
    focusAfterApply = false;
  });

  // "close" does not bubble: listen in the capture phase (Escape, Cancel and Apply all end here).
  document.addEventListener('close', function (event) {
    if (event.target === dialog()) returnFocus();
  }, true);

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var opening = target.closest('[data-assistant-open]');
    if (opening) {
      event.preventDefault();
      return open(opening);
    }
    if (target.closest('[data-assistant-apply]')) return apply();
    if (target.closest('[data-assistant-cancel]')) return dialog().close();
    var day = target.closest('[data-assistant-day]');
    if (day) return shiftDay(Number(day.getAttribute('data-assistant-day')));
    var lane = target.closest('.assistant-lanes .assistant-slots');
    if (lane && grid) placeAt(lane, event.clientX);
  });

  /** Previous day / Next day: the same time on another date, fetched like a typed date. */
  function shiftDay(days) {
    if (!grid || !/^\d{4}-\d{2}-\d{2}$/.test(grid.date.value)) return;
    var parts = grid.date.value.split('-').map(Number);
    var next = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2] + days));
    grid.date.value = next.toISOString().slice(0, 10);
    grid.date.dispatchEvent(new Event('change', { bubbles: true }));
  }

  // ---- The loaded day -----------------------------------------------------------------------

  document.addEventListener('htmx:afterSwap', function (event) {
    if (event.detail.target && event.detail.target.id === 'assistant-body') setUp();
  });

  document.addEventListener('htmx:responseError', function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var dlg = dialog();
    if (dlg && dlg.open && source && dlg.contains(source)) setStatus('TutorKit could not update the Scheduling assistant. Try again.');
  });

  function setUp() {
    var root = byId('assistant-view');
    byId('assistant-apply').hidden = !root;
    drag = null;
    if (!root) {
      grid = null;
      var message = byId('assistant-message');
      setStatus(message ? message.textContent : '');
      return;
    }
    var zone = root.getAttribute('data-zone');
    grid = {
      root: root,
      block: byId('assistant-block'),
      label: root.querySelector('.assistant-block-label'),
      scroller: root.querySelector('.assistant-scroll'),
      date: byId('assistant-date'),
      time: byId('assistant-time'),
      duration: byId('assistant-duration'),
      rows: Array.prototype.slice.call(root.querySelectorAll('[data-states]')),
      from: Number(root.getAttribute('data-from')),
      count: Number(root.getAttribute('data-slots')),
      dayLabel: root.getAttribute('data-day-label'),
      clock: clockIn(zone),
      start: Number(root.getAttribute('data-start')),
      length: Number(root.getAttribute('data-duration')),
    };
    grid.labels = [];
    for (var i = 0; i <= grid.count; i++) grid.labels.push(grid.clock(grid.from + i * QUARTER * MINUTE_MS));
    render();
    keepInView(true);
    setStatus(root.getAttribute('data-announce') || statusText(true));
    if (firstLoad) grid.date.focus();
    firstLoad = false;
  }

  function clockIn(zone) {
    var format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return function (ms) { return format.format(new Date(ms)); };
  }

  /** The wall-clock time `minutes` after local midnight. */
  function timeAt(minutes) { return grid.clock(grid.from + minutes * MINUTE_MS); }
  function range(separator) { return timeAt(grid.start) + separator + timeAt(grid.start + grid.length); }
  function dayMinutes() { return grid.count * QUARTER; }

  /** Minutes after local midnight of a typed HH:mm; null when the day has no such time (a DST gap). */
  function minutesOf(value) {
    var match = /^(\d{2}):(\d{2})$/.exec(value);
    if (!match) return null;
    var extra = Number(match[2]) % QUARTER;
    var quarter = match[1] + ':' + String(Number(match[2]) - extra).padStart(2, '0');
    var index = grid.labels.indexOf(quarter);
    return index === -1 || index === grid.count ? null : index * QUARTER + extra;
  }

  /** Names of the people who are busy or outside their availability at any time of the block. */
  function unavailable() {
    var first = Math.floor(grid.start / QUARTER);
    var last = Math.min(Math.ceil((grid.start + grid.length) / QUARTER), grid.count);
    return grid.rows.filter(function (row) {
      return /[^f]/.test(row.getAttribute('data-states').slice(first, last));
    });
  }

  function statusText(withDay) {
    var away = unavailable().map(function (row) { return row.getAttribute('data-name'); });
    var when = range(' to ') + (withDay ? ', ' + grid.dayLabel : '') + '. ';
    if (grid.rows.length === 0) return when + 'Nobody is invited yet.';
    return when + (away.length ? 'Unavailable: ' + away.join(', ') + '.' : 'Everyone is free.');
  }

  /** Draws the block and fills the fields (except the one being typed in). */
  function render(typing) {
    var shown = clamp(dayMinutes() - grid.start, 0, grid.length);
    var block = grid.block;
    block.style.setProperty('--start', String(grid.start / QUARTER));
    block.style.setProperty('--length', String(shown / QUARTER));
    var now = Math.floor(grid.start / QUARTER);
    block.setAttribute('aria-valuenow', String(now));
    block.setAttribute('aria-valuemax', String(Math.max(now, grid.count - Math.ceil(grid.length / QUARTER))));
    block.setAttribute('aria-valuetext', range(' to ') + ', ' + grid.dayLabel);
    grid.label.querySelector('[data-block-start]').textContent = timeAt(grid.start);
    grid.label.querySelector('[data-block-end]').textContent = '–' + timeAt(grid.start + grid.length);
    if (typing !== grid.time) grid.time.value = timeAt(grid.start);
    if (typing !== grid.duration) grid.duration.value = String(grid.length);
    var away = unavailable();
    var start = new Date(grid.from + grid.start * MINUTE_MS);
    grid.rows.forEach(function (row) {
      row.querySelector('[data-unavailable]').hidden = away.indexOf(row) === -1;
      row.classList.toggle('is-unavailable', away.indexOf(row) !== -1);
      var there = row.querySelector('[data-there]');
      if (there) there.textContent = wallClockThere(start, row.getAttribute('data-zone'));
    });
  }

  /** "22:00", or "Wed 01:00" when it is another date in the person's zone. */
  function wallClockThere(instant, zone) {
    var date = function (tz) { return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant); };
    var time = clockIn(zone)(instant.getTime());
    if (date(zone) === date(grid.root.getAttribute('data-zone'))) return time;
    return new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short' }).format(instant) + ' ' + time;
  }

  function moveTo(start) {
    var next = clamp(start, 0, Math.max(0, dayMinutes() - grid.length));
    if (next === grid.start) return false;
    grid.start = next;
    render();
    return true;
  }

  function resizeTo(length) {
    var next = clamp(length, MIN_LENGTH, Math.max(MIN_LENGTH, Math.min(MAX_LENGTH, dayMinutes() - grid.start)));
    if (next === grid.length) return false;
    grid.length = next;
    render();
    return true;
  }

  /** After a move: say so, and recheck the later sessions of a repeating proposal. */
  function settled() {
    setStatus(statusText(false));
    var later = byId('assistant-later');
    if (later) window.htmx.trigger(later, 'assistant-moved');
  }

  /** Scrolls the grid so the whole block shows (or, on load, so it starts a little in). */
  function keepInView(onLoad) {
    var scroller = grid.scroller;
    var slot = slotWidth();
    var left = (grid.start / QUARTER) * slot;
    var right = left + (grid.length / QUARTER) * slot;
    var person = grid.root.querySelector('.assistant-person').offsetWidth;
    var visible = scroller.clientWidth - person;
    if (onLoad || left < scroller.scrollLeft) scroller.scrollLeft = Math.max(0, left - 4 * slot);
    else if (right > scroller.scrollLeft + visible) scroller.scrollLeft = right - visible + 4 * slot;
  }

  function slotWidth() {
    var slot = grid.root.querySelector('.assistant-hours .slot');
    return slot ? slot.getBoundingClientRect().width : 14;
  }

  // ---- Keyboard -----------------------------------------------------------------------------

  /** The next or previous quarter hour from `minutes` (16:10 moves to 16:15 or 16:00). */
  function nextQuarter(minutes) { return (Math.floor(minutes / QUARTER) + 1) * QUARTER; }
  function previousQuarter(minutes) { return (Math.ceil(minutes / QUARTER) - 1) * QUARTER; }

  document.addEventListener('keydown', function (event) {
    if (!grid || event.target !== grid.block || event.altKey || event.ctrlKey || event.metaKey) return;
    var later = event.key === 'ArrowRight' || event.key === 'ArrowUp';
    var earlier = event.key === 'ArrowLeft' || event.key === 'ArrowDown';
    var moved;
    if ((later || earlier) && event.shiftKey) moved = resizeTo(later ? nextQuarter(grid.length) : previousQuarter(grid.length));
    else if (later || earlier) moved = moveTo(later ? nextQuarter(grid.start) : previousQuarter(grid.start));
    else if (event.key === 'PageUp' || event.key === 'PageDown') moved = moveTo(grid.start + (event.key === 'PageUp' ? 60 : -60));
    else if (event.key === 'Home' || event.key === 'End') moved = moveTo(event.key === 'Home' ? 0 : dayMinutes());
    else return;
    event.preventDefault();
    if (!moved) return;
    keepInView(false);
    settled();
  });

  // ---- Mouse, pen and touch -----------------------------------------------------------------

  document.addEventListener('pointerdown', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!grid || !target || !target.closest('#assistant-block') || event.button !== 0) return;
    event.preventDefault(); // no text selection or native drag; focus is given below
    grid.block.focus();
    grid.block.setPointerCapture(event.pointerId);
    grid.block.classList.add('is-dragging');
    var mode = target.closest('.assistant-handle') ? 'resize' : 'move';
    drag = { id: event.pointerId, mode: mode, x: event.clientX, start: grid.start, length: grid.length, slot: slotWidth() };
  });

  document.addEventListener('pointermove', function (event) {
    if (!drag || event.pointerId !== drag.id) return;
    var quarters = Math.round((event.clientX - drag.x) / drag.slot);
    // Whole quarter hours from where the drag began; a block at 16:10 snaps to the grid once moved.
    var snap = function (minutes) { return quarters === 0 ? minutes : Math.round((minutes + quarters * QUARTER) / QUARTER) * QUARTER; };
    if (drag.mode === 'move') moveTo(snap(drag.start));
    else resizeTo(snap(drag.length));
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.id) return;
    var changed = grid && (grid.start !== drag.start || grid.length !== drag.length);
    drag = null;
    if (!grid) return;
    grid.block.classList.remove('is-dragging');
    if (grid.block.hasPointerCapture(event.pointerId)) grid.block.releasePointerCapture(event.pointerId);
    if (changed) settled();
  }
  document.addEventListener('pointerup', endDrag);
  document.addEventListener('pointercancel', endDrag);

  /** A click on the grid puts the block's start in the clicked quarter hour. */
  function placeAt(lane, clientX) {
    var slot = slotWidth();
    var index = Math.floor((clientX - lane.getBoundingClientRect().left) / slot);
    grid.block.focus();
    if (moveTo(index * QUARTER)) settled();
  }

  // ---- The dialog's fields ------------------------------------------------------------------

  document.addEventListener('input', function (event) {
    if (!grid) return;
    if (event.target === grid.time) {
      var start = minutesOf(grid.time.value);
      if (start === null) return;
      grid.start = start;
      render(grid.time);
      keepInView(false);
    } else if (event.target === grid.duration) {
      var length = Number(grid.duration.value);
      if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH) return;
      grid.length = length;
      render(grid.duration);
      keepInView(false);
    }
  });

  document.addEventListener('change', function (event) {
    if (!grid || (event.target !== grid.time && event.target !== grid.duration)) return;
    // A time the day does not have (a daylight-saving gap): the server places it, as it would on Save.
    if (event.target === grid.time && grid.time.value && minutesOf(grid.time.value) === null) {
      grid.date.dispatchEvent(new Event('change', { bubbles: true }));
      return;
    }
    settled();
  });
})();
