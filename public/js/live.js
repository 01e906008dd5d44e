// Live pages (the Warmup room): reads the room's event stream and applies what it sends. The
// person's token travels only in the Authorization header, which EventSource cannot send, so the
// stream is read with fetch() and parsed here. A dropped stream is opened again with a growing
// pause; every stream starts with a fresh snapshot of the room, so nothing missed meanwhile stays
// missing. Events:
//   replace  an element (its id) with new content: who is here, the meeting's state, the chat log
//   chat     one chat line to add to the log
//   end      the room closed (the meeting ended): stop, do not reconnect, show the page anew
(function () {
  'use strict';
  var QUIET_LIMIT_MS = 45000; // three missed heartbeats: the stream is dead even if the socket is not
  var MAX_PAUSE_MS = 30000;

  var current = null; // { root, controller, ... } for the stream being read

  function byId(id) { return document.getElementById(id); }
  function token() { return window.TutorKitToken ? window.TutorKitToken.get() : null; }
  function keepToken(response) {
    var next = response.headers.get('X-TutorKit-Token');
    if (next && window.TutorKitToken) window.TutorKitToken.refresh(next);
  }
  function headers(extra) {
    var h = { 'HX-Request': 'true', Authorization: 'Bearer ' + token() };
    for (var k in extra) h[k] = extra[k];
    return h;
  }
  function setConnection(state, text) {
    var el = byId('room-connection');
    if (!el) return;
    el.dataset.state = state;
    el.textContent = text;
  }
  function showMessage(html) {
    var messages = byId('messages');
    if (messages) messages.innerHTML = html;
  }

  // ---- Applying events ---------------------------------------------------------------------

  function parseHtml(html) {
    var template = document.createElement('template');
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function replace(html) {
    var incoming = parseHtml(html);
    var target = incoming && incoming.id ? byId(incoming.id) : null;
    if (!target) return;
    // A log (the chat) only grows: lines the page lacks are added, the ones it has stay as they are.
    var lines = incoming.matches('[data-append-only]') ? incoming : incoming.querySelector('[data-append-only]');
    if (lines) {
      Array.prototype.slice.call(lines.children).forEach(appendLine);
      return;
    }
    var announce = incoming.dataset.announce;
    if (announce && announce !== target.dataset.announce) {
      var region = byId('room-announce');
      if (region) region.textContent = announce;
    }
    for (var key in incoming.dataset) target.dataset[key] = incoming.dataset[key];
    // Unchanged content is left alone: a live region would read it out again, and focus would be lost.
    if (target.innerHTML === incoming.innerHTML) return;
    target.innerHTML = incoming.innerHTML;
    if (window.htmx) window.htmx.process(target);
  }

  function appendLine(line) {
    var log = byId('room-chat-log');
    if (!log || !line || !line.id || byId(line.id)) return;
    var scroller = byId('room-chat-scroll') || log;
    var atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    log.appendChild(document.importNode(line, true));
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  function apply(event) {
    if (event.type === 'replace') replace(event.data);
    else if (event.type === 'chat') appendLine(parseHtml(event.data));
    else if (event.type === 'end' && current) {
      stop(current, 'ended');
      // The room closed (the meeting ended, or its time passed): show the page as it is now,
      // with the next step and the transcript instead of the chat box.
      if (window.htmx) window.htmx.ajax('GET', window.location.pathname, { target: 'body', swap: 'innerHTML' });
    }
  }

  // ---- Reading the stream ------------------------------------------------------------------

  /** Feeds text to an SSE parser; calls onEvent for each complete event. Returns the parser. */
  function sseParser(onEvent, onRetry) {
    var buffer = '';
    var type = '';
    var data = [];
    function line(text) {
      if (text === '') {
        if (data.length) onEvent({ type: type || 'message', data: data.join('\n') });
        type = '';
        data = [];
        return;
      }
      if (text.charAt(0) === ':') return;
      var colon = text.indexOf(':');
      var field = colon === -1 ? text : text.slice(0, colon);
      var value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
    }
    return function feed(chunk) {
      buffer += chunk;
      var parts = buffer.split(/\r\n|\r|\n/);
      buffer = parts.pop();
      parts.forEach(line);
    };
  }

  function connect(conn) {
    if (conn.stopped) return;
    if (!token()) return stop(conn, 'failed', 'Reload the page to see the room live.');
    conn.controller = new AbortController();
    var heard = function () {
      clearTimeout(conn.quiet);
      conn.quiet = setTimeout(function () { conn.controller.abort(); }, QUIET_LIMIT_MS);
    };
    heard();
    fetch(conn.url, { headers: headers({ Accept: 'text/event-stream' }), signal: conn.controller.signal, cache: 'no-store' })
      .then(function (response) {
        keepToken(response);
        if (response.status === 401) { window.location.assign('/expired'); return stop(conn, 'failed'); }
        if (!response.ok || !response.body) {
          // Refused (not allowed, the room closed): say why, and do not try again.
          if (response.status >= 400 && response.status < 500 && response.status !== 429) {
            return response.text().then(function (html) { showMessage(html); stop(conn, 'failed', 'The room is not available. Reload the page to see why.'); });
          }
          throw new Error('stream answered ' + response.status);
        }
        setConnection('live', 'Live: people, the meeting and messages update as they happen.');
        conn.failures = 0;
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var feed = sseParser(apply, function (ms) { conn.retryMs = ms; });
        var pump = function () {
          return reader.read().then(function (part) {
            if (part.done) return;
            heard();
            feed(decoder.decode(part.value, { stream: true }));
            if (!conn.stopped) return pump();
          });
        };
        return pump();
      })
      .catch(function () { /* a network error or our own abort: reconnect below */ })
      .then(function () {
        clearTimeout(conn.quiet);
        if (conn.stopped) return;
        if (!conn.root.isConnected) return stop(conn, 'left');
        reconnectLater(conn);
      });
  }

  function reconnectLater(conn) {
    var base = Math.min(MAX_PAUSE_MS, conn.retryMs * Math.pow(2, conn.failures));
    conn.failures += 1;
    var pause = base / 2 + Math.random() * base / 2;
    setConnection('reconnecting', 'Connection lost: reconnecting…');
    conn.timer = setTimeout(function () { connect(conn); }, pause);
  }

  function stop(conn, why, text) {
    conn.stopped = true;
    clearTimeout(conn.timer);
    clearTimeout(conn.quiet);
    if (conn.controller) conn.controller.abort();
    if (current === conn) current = null;
    if (why === 'ended') setConnection('ended', 'The room has closed.');
    else if (text) setConnection('failed', text);
  }

  function watch(root) {
    var el = root && root.querySelector ? (root.matches && root.matches('[data-live-stream]') ? root : root.querySelector('[data-live-stream]')) : null;
    if (current && !current.root.isConnected) stop(current, 'left');
    if (!el || (current && current.root === el)) return;
    if (current) stop(current, 'left');
    current = { root: el, url: el.dataset.liveStream, retryMs: 1000, failures: 0, stopped: false, controller: null, timer: null, quiet: null };
    connect(current);
  }

  // ---- The page's controls -----------------------------------------------------------------

  // Start meeting is a link to the Meeting URL that opens in a new tab (a window opened after a
  // request would be blocked as a pop-up); the click also records the start.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-room-start]');
    if (!link || !token()) return;
    fetch(link.dataset.roomStart, { method: 'POST', headers: headers({}) }).then(function (response) {
      keepToken(response);
      return response.text().then(function (html) {
        if (response.ok) replace(html);
        else showMessage(html);
      });
    });
  });

  // In the chat box, Enter sends and Shift+Enter starts a new line.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.target.id !== 'chat-message') return;
    event.preventDefault();
    var form = event.target.form;
    if (form && form.requestSubmit) form.requestSubmit();
  });

  // A room that is not open yet reloads itself when it opens.
  var opening = null;
  function scheduleOpening(root) {
    var el = root && root.querySelector ? root.querySelector('[data-room-opens-at]') : null;
    if (!el) return;
    clearTimeout(opening);
    var wait = new Date(el.dataset.roomOpensAt).getTime() - Date.now() + 1000;
    if (!(wait > 0) || wait > 86400000) return;
    opening = setTimeout(function () {
      if (!el.isConnected || !window.htmx) return;
      window.htmx.ajax('GET', window.location.pathname, { target: 'body', swap: 'innerHTML' });
    }, wait);
  }

  function scan(root) {
    watch(root);
    scheduleOpening(root);
  }
  document.addEventListener('htmx:load', function (event) { scan(event.detail.elt); });
  // A navigation replaced the page: a stream whose room is gone stops.
  document.addEventListener('htmx:afterSettle', function () { if (current && !current.root.isConnected) stop(current, 'left'); });
  window.addEventListener('pagehide', function () { if (current) stop(current, 'left'); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { scan(document); });
  else scan(document);
})();
