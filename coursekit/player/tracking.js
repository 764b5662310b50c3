/* coursekit tracking adapter: window.CourseTracker, the only code that talks to an LMS.
 * Contract: docs/player-contract.md. Every call is synchronous and never throws.
 * SCORM 1.2 (window.API) and SCORM 2004 4th Edition (window.API_1484_11); without an LMS,
 * or with tracking "none", progress is kept in localStorage instead. */
(function (global) {
  "use strict";

  var MAX_PARENT_HOPS = 500; // ADL/IEEE API discovery limit
  var LIMITS = {
    scorm12: { state: 4096, location: 255 },
    scorm2004: { state: 64000, location: 1000 }
  };
  var METHODS = {
    scorm12: {
      init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
      finish: "LMSFinish", error: "LMSGetLastError"
    },
    scorm2004: {
      init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
      finish: "Terminate", error: "GetLastError"
    }
  };
  var LETTER = /^[a-z0-9]$/;
  var PAIR = /^([a-z0-9])\.([0-9]{1,2})$/;
  var PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
  var COMMIT_GAP_MS = 1000;   // one Commit at a time: hosts that send the whole CMI per Commit need the gap
  var RETRY_MS = [2000, 4000, 8000, 16000, 30000, 60000];
  var MAX_COUNT = 10000;      // a larger _count from an LMS is not believed (and never looped over)
  var RECENT = 32;            // interaction records kept on the device, to send again if the LMS lost them

  var session = {
    started: false,
    terminated: false,
    finished: false,
    version: "none",   // "scorm12" | "scorm2004" once connected, else "none"
    api: null,
    names: null,
    startedAt: 0,
    storageKey: "",
    stored: {},        // localStorage record when not connected
    passMark: null,    // percent; the LMS's mastery score wins over the course's
    passFail: "",      // 1.2: "passed"/"failed" once scored, so "completed" never overrides it
    objectives: {},    // objective id -> cmi.objectives index
    objectiveCount: 0,
    interactionCount: 0,
    countKnown: false, // the LMS returns a believable cmi.interactions._count
    readOnly: false,   // browse/review launch: nothing is written
    credit: true,      // no-credit launch: no score or pass/fail
    passed: false,     // passed before or in this session: the status never goes down
    best: null,        // the best score (percent) the LMS holds
    passedObjectives: {},
    backupKey: "",
    dirty: false,
    timer: null,
    lastCommitAt: -Infinity,
    retries: 0,
    failing: false,
    listener: null,
    lastState: null,
    lastLocation: "",
    recent: [],        // the last RECENT interactions as written: {i: index, e: [[element suffix, value], ...]}
    result: null
  };

  // ---- formatting -------------------------------------------------------------------------

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) text = "0" + text;
    return text;
  }

  function centiseconds(ms) {
    var value = Math.round(Number(ms) / 10);
    return isFinite(value) && value > 0 ? value : 0;
  }

  /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS (2 to 4 hour digits, at most 2 decimals). */
  function timespan12(ms) {
    var cs = centiseconds(ms);
    var hours = Math.floor(cs / 360000);
    if (hours > 9999) { hours = 9999; cs = hours * 360000 + 359999; }
    var minutes = Math.floor(cs / 6000) % 60;
    var seconds = Math.floor(cs / 100) % 60;
    return pad(hours, 2) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(cs % 100, 2);
  }

  /** SCORM 2004 timeinterval (ISO 8601 duration): PT#H#M#.##S, at most 2 decimals. */
  function duration2004(ms) {
    var cs = centiseconds(ms);
    var hours = Math.floor(cs / 360000);
    var minutes = Math.floor(cs / 6000) % 60;
    var seconds = Math.floor(cs / 100) % 60;
    return "PT" + hours + "H" + minutes + "M" + seconds + "." + pad(cs % 100, 2) + "S";
  }

  /** SCORM 1.2 CMITime: the local time of day, HH:MM:SS. */
  function clock12(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  /** SCORM 2004 time(second,10,0): YYYY-MM-DDThh:mm:ss.s with a UTC designator. */
  function timestamp2004(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1, 2) + "-" + pad(date.getUTCDate(), 2) +
      "T" + pad(date.getUTCHours(), 2) + ":" + pad(date.getUTCMinutes(), 2) + ":" +
      pad(date.getUTCSeconds(), 2) + "." + Math.floor(date.getUTCMilliseconds() / 100) + "Z";
  }

  function decimal(value, places) {
    var factor = Math.pow(10, places);
    return String(Math.round(value * factor) / factor);
  }

  function clampPercent(value) {
    var number = Number(value);
    if (!isFinite(number)) return 0;
    return Math.min(100, Math.max(0, number));
  }

  /** Interaction and objective ids: [A-Za-z0-9_] only, at most 64 characters. */
  function identifier(value) {
    return String(value == null ? "" : value).replace(/[^A-Za-z0-9_]/g, "_").slice(0, 64);
  }

  // Responses arrive as plain values (see the contract); anything else is dropped, so no free
  // text can ever reach the LMS.
  function responseParts(type, values) {
    if (!values || typeof values.length !== "number") return null;
    var parts = [];
    for (var i = 0; i < values.length; i++) {
      var value = String(values[i]);
      if (type === "true-false") {
        if (value !== "true" && value !== "false") return null;
        parts.push(value);
      } else if (type === "matching") {
        var pair = PAIR.exec(value);
        var target = pair ? parseInt(pair[2], 10) : 0;
        if (!pair || target < 1 || target > 35) return null;
        parts.push([pair[1], target]);
      } else if (type === "choice" || type === "sequencing") {
        if (!LETTER.test(value)) return null;
        parts.push(value);
      } else if (type === "likert") {
        // A point on a scale, one character (a 1.2 identifier): "1".."9".
        if (!/^[1-9]$/.test(value)) return null;
        parts.push(value);
      } else {
        return null;
      }
    }
    if ((type === "true-false" || type === "likert") && parts.length !== 1) return null;
    return parts.length ? parts : null;
  }

  function formatResponse(version, type, values) {
    var parts = responseParts(type, values);
    if (!parts) return null;
    var out = [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (type === "true-false") {
        out.push(version === "scorm12" ? part.charAt(0) : part);
      } else if (type === "matching") {
        // 1.2 identifiers are single characters: target n is written as base 36 (1-9, then a-z).
        out.push(version === "scorm12" ? part[0] + "." + part[1].toString(36) : part[0] + "[.]" + part[1]);
      } else {
        out.push(part);
      }
    }
    if (type === "choice" && version === "scorm2004") {
      // 2004 choice responses are a set: no repeated identifiers.
      out = out.filter(function (item, index) { return out.indexOf(item) === index; });
    }
    var text = out.join(version === "scorm12" ? "," : "[,]");
    return version === "scorm12" && text.length > 255 ? null : text;
  }

  function description2004(text) {
    // localized_string_type: one line, at most 250 characters, and a leading "{" would be read
    // as a language tag.
    var plain = String(text == null ? "" : text).replace(/\s+/g, " ").replace(/^[\s{]+/, "");
    return plain.length > 250 ? plain.slice(0, 249) + "\u2026" : plain;
  }

  // ---- LMS access -------------------------------------------------------------------------

  function lookup(win, name) {
    var current = win;
    for (var hops = 0; current && hops <= MAX_PARENT_HOPS; hops++) {
      try {
        var api = current[name];
        if (api && typeof api === "object") return api;
      } catch (error) { /* cross-origin frame: keep climbing */ }
      var parent = null;
      try { parent = current.parent; } catch (error) { parent = null; }
      if (!parent || parent === current) return null;
      current = parent;
    }
    return null;
  }

  function findApi(name) {
    var api = lookup(global, name);
    if (api) return api;
    var openers = [];
    try { if (global.opener) openers.push(global.opener); } catch (error) { /* cross-origin */ }
    try { if (global.top && global.top.opener) openers.push(global.top.opener); } catch (error) { /* ditto */ }
    for (var i = 0; i < openers.length; i++) {
      api = lookup(openers[i], name);
      if (api) return api;
    }
    return null;
  }

  function invoke(method, first, second) {
    if (!session.api || session.terminated) return "";
    try {
      var fn = session.api[session.names[method]];
      if (typeof fn !== "function") return "";
      var value = arguments.length > 2 ? fn.call(session.api, first, second) : fn.call(session.api, first);
      return value == null ? "" : String(value);
    } catch (error) {
      return "";
    }
  }

  function get(element) { return invoke("get", element); }
  function set(element, value) { return invoke("set", element, String(value)) === "true"; }
  function commit() { return invoke("commit", "") === "true"; }

  // ---- coalesced commits and the device backup ---------------------------------------------

  function notify(status) {
    if (typeof session.listener === "function") {
      try { session.listener(status); } catch (error) { /* the player's problem, not the LMS's */ }
    }
  }

  function clearTimer() {
    if (session.timer !== null) { global.clearTimeout(session.timer); session.timer = null; }
  }

  /** Mark values as set; one Commit follows once this moment is over, at most one per COMMIT_GAP_MS. */
  function requestCommit() {
    session.dirty = true;
    if (session.timer !== null || !connected()) return;
    var wait = Math.max(0, session.lastCommitAt + COMMIT_GAP_MS - Date.now());
    session.timer = global.setTimeout(flush, wait);
  }

  function flush() {
    session.timer = null;
    if (!session.dirty || !connected()) return;
    commitNow();
  }

  function commitNow() {
    clearTimer();
    session.dirty = false;
    session.lastCommitAt = Date.now();
    if (commit()) {
      session.retries = 0;
      writeBackup(true);
      if (session.failing) { session.failing = false; notify("saved"); }
      return true;
    }
    // A refused save: keep everything on this device, tell the learner, try again later.
    session.dirty = true;
    writeBackup(false);
    if (!session.failing) { session.failing = true; notify("unsaved"); }
    if (session.retries < RETRY_MS.length) {
      session.timer = global.setTimeout(flush, RETRY_MS[session.retries]);
      session.retries++;
    }
    return false;
  }

  function writeBackup(confirmed) {
    var store = storage();
    if (!store || !session.backupKey || session.lastState === null) return;
    try {
      store.setItem(session.backupKey, JSON.stringify({
        state: session.lastState, location: session.lastLocation, confirmed: confirmed, recent: session.recent
      }));
    } catch (error) { /* full or denied */ }
  }

  function readBackup() {
    var store = storage();
    if (!store || !session.backupKey) return null;
    try {
      var record = JSON.parse(store.getItem(session.backupKey) || "null");
      if (record && typeof record.state === "string" && PRINTABLE_ASCII.test(record.state)) return record;
    } catch (error) { /* garbage: ignore */ }
    return null;
  }

  function elapsedMs() { return Date.now() - session.startedAt; }

  function setSessionTime() {
    if (session.version === "scorm12") set("cmi.core.session_time", timespan12(elapsedMs()));
    else set("cmi.session_time", duration2004(elapsedMs()));
  }

  function setExit() {
    if (session.version === "scorm12") set("cmi.core.exit", session.finished ? "" : "suspend");
    else set("cmi.exit", session.finished ? "normal" : "suspend");
  }

  function count(element) {
    var text = get(element);
    var value = /^[0-9]{1,9}$/.test(text) ? parseInt(text, 10) : -1;
    return value <= MAX_COUNT ? value : -1;
  }

  function objectiveIndex(id, create) {
    var key = identifier(id);
    if (!key) return -1;
    if (Object.prototype.hasOwnProperty.call(session.objectives, key)) return session.objectives[key];
    if (!create) return -1;
    var index = count("cmi.objectives._count");
    if (index < 0) index = session.objectiveCount;
    if (!set("cmi.objectives." + index + ".id", key)) return -1;
    session.objectives[key] = index;
    session.objectiveCount = index + 1;
    return index;
  }

  function readObjectives() {
    var total = Math.min(count("cmi.objectives._count"), 1000);
    var statusField = session.version === "scorm12" ? ".status" : ".success_status";
    for (var i = 0; i < total; i++) {
      var id = get("cmi.objectives." + i + ".id");
      if (!id) continue;
      session.objectives[id] = i;
      if (get("cmi.objectives." + i + statusField) === "passed") session.passedObjectives[id] = true;
    }
    session.objectiveCount = Math.max(total, 0);
  }

  // ---- localStorage fallback --------------------------------------------------------------

  function storage() {
    try { return global.localStorage || null; } catch (error) { return null; }
  }

  function loadStored() {
    var store = storage();
    if (!store) return {};
    try {
      var record = JSON.parse(store.getItem(session.storageKey) || "{}");
      return record && typeof record === "object" ? record : {};
    } catch (error) {
      return {};
    }
  }

  function writeStored() {
    var store = storage();
    if (!store) return;
    try { store.setItem(session.storageKey, JSON.stringify(session.stored)); } catch (error) { /* full or denied */ }
  }

  // ---- the public API ---------------------------------------------------------------------

  function startConnected(meta) {
    var v12 = session.version === "scorm12";
    var entry = get(v12 ? "cmi.core.entry" : "cmi.entry");
    var location = get(v12 ? "cmi.core.lesson_location" : "cmi.location");
    var state = get("cmi.suspend_data");
    var mode = get(v12 ? "cmi.core.lesson_mode" : "cmi.mode");
    session.readOnly = mode === "browse" || mode === "review";
    session.credit = get(v12 ? "cmi.core.credit" : "cmi.credit") !== "no-credit";
    var learner = get(v12 ? "cmi.core.student_id" : "cmi.learner_id");
    session.backupKey = "coursekit-backup:" + meta.courseId + ":" + meta.audience + ":" + identifier(learner);
    var raw = parseFloat(get(v12 ? "cmi.core.score.raw" : "cmi.score.raw"));
    if (isFinite(raw) && raw >= 0 && raw <= 100) session.best = raw;
    if (v12) {
      var mastery = parseFloat(get("cmi.student_data.mastery_score"));
      if (isFinite(mastery) && mastery >= 0 && mastery <= 100) session.passMark = mastery;
      var status = get("cmi.core.lesson_status");
      if (status === "passed" || status === "failed") session.passFail = status;
      if (!session.readOnly && (!status || status === "not attempted")) set("cmi.core.lesson_status", "incomplete");
      session.passed = status === "passed";
    } else {
      var scaled = parseFloat(get("cmi.scaled_passing_score"));
      if (isFinite(scaled) && scaled >= -1 && scaled <= 1) session.passMark = Math.max(0, scaled * 100);
      var completion = get("cmi.completion_status");
      if (!session.readOnly && (!completion || completion === "not attempted" || completion === "unknown")) {
        set("cmi.completion_status", "incomplete");
      }
      session.passed = get("cmi.success_status") === "passed";
    }
    readObjectives();
    var interactions = count("cmi.interactions._count");
    session.countKnown = interactions >= 0;
    session.interactionCount = Math.max(interactions, 0);
    if (!session.readOnly) {
      setExit();
      var ids = meta.objectiveIds || [];
      for (var i = 0; i < ids.length; i++) objectiveIndex(ids[i], true);
      requestCommit();
    }
    var result = {
      connected: true,
      resumed: entry === "resume" || state !== "",
      state: state || null,
      location: location || "",
      passMark: session.passMark,
      passed: session.passed,
      best: session.best,
      mode: session.readOnly ? mode : "normal",
      credit: session.credit
    };
    // The LMS may hold older data than this device: its last saves were refused, or (a host that answers
    // Commit before its request is sent) accepted and then lost when the page closed. The player decides.
    var backup = readBackup();
    if (backup && backup.state !== state) {
      result.backup = { state: backup.state, location: typeof backup.location === "string" ? backup.location : "",
        confirmed: backup.confirmed !== false, recent: Array.isArray(backup.recent) ? backup.recent : [] };
    }
    return result;
  }

  function start(meta) {
    if (session.started) return session.result;
    session.started = true;
    meta = meta || {};
    session.startedAt = Date.now();
    var passMark = Number(meta.passMark);
    session.passMark = isFinite(passMark) ? clampPercent(passMark) : null;
    session.storageKey = "coursekit:" + meta.courseId + ":" + meta.audience + ":" + meta.version;
    var mode = meta.tracking;
    if (mode === "scorm12" || mode === "scorm2004") {
      var api = findApi(mode === "scorm12" ? "API" : "API_1484_11");
      if (api) {
        session.api = api;
        session.names = METHODS[mode];
        session.version = mode;
        var ok = invoke("init", "");
        if (ok !== "true") {
          session.api = null;
          session.version = "none";
        }
      }
    }
    try {
      if (session.version !== "none") {
        session.result = startConnected(meta);
        // pagehide is the player's: it saves first, then calls terminate() (see the contract).
        global.document.addEventListener("visibilitychange", onVisibilityChange);
        return session.result;
      }
    } catch (error) { /* fall through to the local record */ }
    session.stored = loadStored();
    var stored = typeof session.stored.state === "string" ? session.stored.state : null;
    session.finished = session.stored.finished === true;
    session.passed = session.stored.passed === true;
    session.result = {
      connected: false,
      resumed: stored !== null,
      state: stored,
      location: typeof session.stored.location === "string" ? session.stored.location : "",
      passMark: session.passMark,
      passed: session.passed,
      best: typeof session.stored.best === "number" ? session.stored.best : null,
      mode: "normal",
      credit: true
    };
    return session.result;
  }

  function connected() {
    return session.started && !session.terminated && session.version !== "none";
  }

  function save(state, location) {
    try {
      state = state == null ? "" : String(state);
      location = location == null ? "" : String(location);
      if (!PRINTABLE_ASCII.test(state) || !PRINTABLE_ASCII.test(location)) return;
      if (session.readOnly) return;
      if (!connected()) {
        if (!session.started || session.terminated) return;
        session.stored.state = state;
        session.stored.location = location;
        writeStored();
        return;
      }
      var limits = LIMITS[session.version];
      if (state.length <= limits.state) set("cmi.suspend_data", state);
      set(session.version === "scorm12" ? "cmi.core.lesson_location" : "cmi.location",
        location.slice(0, limits.location));
      session.lastState = state;
      session.lastLocation = location;
      writeBackup(false);
      requestCommit();
    } catch (error) { /* never throw into the player */ }
  }

  function interaction(record) {
    try {
      if (!connected() || !record || session.readOnly) return session.interactionCount;
      var v12 = session.version === "scorm12";
      var type = record.type;
      if (type !== "choice" && type !== "true-false" && type !== "sequencing" && type !== "matching" &&
          type !== "likert") {
        return session.interactionCount;
      }
      var id = identifier(record.id);
      if (!id) return session.interactionCount;
      // Hosts that do not report _count keep earlier records: the next index comes from the saved state.
      var index = session.countKnown ? count("cmi.interactions._count") : -1;
      if (index < 0) index = session.interactionCount;
      var prefix = "cmi.interactions." + index + ".";
      var written = [];
      var put = function (suffix, value) {
        if (set(prefix + suffix, value)) written.push([suffix, String(value)]);
      };
      // 2004 order matters: id, then type, before any response (error 408 otherwise).
      if (!set(prefix + "id", id)) return session.interactionCount;
      written.push(["id", id]);
      session.interactionCount = index + 1;
      put("type", type);
      if (record.objectiveId) put("objectives.0.id", identifier(record.objectiveId));
      var now = new Date();
      put(v12 ? "time" : "timestamp", v12 ? clock12(now) : timestamp2004(now));
      // `correct` is one pattern (["a","c"]: a AND c), or a list of alternative patterns ([["a"],["c"]]:
      // a OR c, e.g. a story decision with two best choices), each written as its own correct_responses.n.
      var patterns = Array.isArray(record.correct) && Array.isArray(record.correct[0]) ? record.correct : [record.correct];
      for (var p = 0, n = 0; p < patterns.length; p++) {
        var correct = formatResponse(session.version, type, patterns[p]);
        if (correct !== null) put("correct_responses." + (n++) + ".pattern", correct);
      }
      var response = formatResponse(session.version, type, record.response);
      if (response !== null) put(v12 ? "student_response" : "learner_response", response);
      var result = record.result;
      if (result === "incorrect" && v12) result = "wrong";
      if (result === "correct" || result === "neutral" || result === "wrong" || result === "incorrect") {
        put("result", result);
      }
      var latency = Number(record.latencyMs);
      if (isFinite(latency) && latency >= 0) {
        put("latency", v12 ? timespan12(latency) : duration2004(latency));
      }
      if (!v12 && record.description) put("description", description2004(record.description));
      session.recent.push({ i: index, e: written });
      if (session.recent.length > RECENT) session.recent.shift();
      requestCommit();
    } catch (error) { /* never throw into the player */ }
    return session.interactionCount;
  }

  /** Send again, in order, the device's interaction records from index `from` on (the LMS's copy ended there). */
  function replayInteractions(records, from) {
    try {
      if (!connected() || session.readOnly || !Array.isArray(records)) return session.interactionCount;
      var start = session.countKnown ? session.interactionCount : Math.max(0, Math.floor(Number(from) || 0));
      session.interactionCount = Math.max(session.interactionCount, start);
      var seen = {};
      records.filter(function (record) {
        return record && typeof record.i === "number" && record.i >= start && record.i < MAX_COUNT &&
          Array.isArray(record.e) && record.e.length && record.e[0][0] === "id";
      }).sort(function (a, b) { return a.i - b.i; }).forEach(function (record) {
        if (seen[record.i]) return;
        seen[record.i] = true;
        var index = session.interactionCount;
        var copy = [];
        for (var k = 0; k < record.e.length; k++) {
          var pair = record.e[k];
          if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string" ||
              !/^[a-z_]+(\.[0-9]{1,2}\.[a-z]+)?$/.test(pair[0])) continue;
          if (set("cmi.interactions." + index + "." + pair[0], pair[1])) copy.push(pair);
          else if (k === 0) return;
        }
        session.interactionCount = index + 1;
        session.recent.push({ i: index, e: copy });
        if (session.recent.length > RECENT) session.recent.shift();
      });
      requestCommit();
    } catch (error) { /* never throw into the player */ }
    return session.interactionCount;
  }

  /** The next interaction index the player saved last time; used when the LMS gives no _count. */
  function resumeInteractions(next) {
    var value = Number(next);
    if (!session.countKnown && isFinite(value) && value > session.interactionCount && value <= MAX_COUNT) {
      session.interactionCount = Math.floor(value);
    }
  }

  function progress(fraction) {
    try {
      if (!connected() || session.version !== "scorm2004" || session.readOnly) return;
      var value = Math.min(1, Math.max(0, Number(fraction) || 0));
      set("cmi.progress_measure", decimal(value, 4));
    } catch (error) { /* never throw */ }
  }

  function objective(id, status, scorePercent) {
    try {
      if (!connected() || session.readOnly) return;
      var valid = { completed: 1, incomplete: 1, passed: 1, failed: 1 };
      if (!valid[status]) return;
      if ((status === "passed" || status === "failed") && !session.credit) return;
      // A passed objective stays passed (a practice retake never lowers it).
      if (session.passedObjectives[identifier(id)] && status !== "passed") return;
      var index = objectiveIndex(id, true);
      if (index < 0) return;
      var prefix = "cmi.objectives." + index + ".";
      var hasScore = scorePercent !== undefined && scorePercent !== null && isFinite(Number(scorePercent));
      var percent = clampPercent(scorePercent);
      if (session.version === "scorm12") {
        if (hasScore) {
          set(prefix + "score.min", "0");
          set(prefix + "score.max", "100");
          set(prefix + "score.raw", decimal(percent, 2));
        }
        set(prefix + "status", status);
      } else {
        if (hasScore) {
          set(prefix + "score.scaled", decimal(percent / 100, 4));
          set(prefix + "score.min", "0");
          set(prefix + "score.max", "100");
          set(prefix + "score.raw", decimal(percent, 2));
        }
        if (status === "passed" || status === "failed") {
          set(prefix + "success_status", status);
          set(prefix + "completion_status", "completed");
        } else {
          set(prefix + "completion_status", status);
        }
      }
      if (status === "passed") session.passedObjectives[identifier(id)] = true;
      requestCommit();
    } catch (error) { /* never throw */ }
  }

  function completed() {
    try {
      if (!session.started || session.terminated || session.readOnly) return;
      if (!connected()) {
        session.stored.completed = true;
        writeStored();
        return;
      }
      if (session.version === "scorm12") {
        if (!session.passFail) set("cmi.core.lesson_status", "completed");
      } else {
        set("cmi.progress_measure", "1");
        set("cmi.completion_status", "completed");
      }
      requestCommit();
    } catch (error) { /* never throw */ }
  }

  function score(percent, passed) {
    try {
      var value = clampPercent(percent);
      // The LMS's mastery score (from the manifest, or changed by an administrator) decides.
      var pass = session.passMark !== null ? value >= session.passMark : Boolean(passed);
      if (!connected()) {
        if (!session.started || session.terminated) return;
        // Offline: remember the pass and the best score the same way.
        session.passed = session.passed || pass;
        session.stored.passed = session.passed;
        if (typeof session.stored.best !== "number" || value > session.stored.best) session.stored.best = value;
        writeStored();
        return;
      }
      if (session.readOnly || !session.credit) return;
      // A pass is final and the best score stays: a worse retake changes neither.
      var status = session.passed ? "passed" : (pass ? "passed" : "failed");
      var better = session.best === null || value > session.best;
      var statusChanges = !session.passed;
      if (!better && !statusChanges) return;
      if (session.version === "scorm12") {
        if (better) {
          set("cmi.core.score.min", "0");
          set("cmi.core.score.max", "100");
          set("cmi.core.score.raw", decimal(value, 2));
        }
        if (statusChanges) set("cmi.core.lesson_status", status);
        session.passFail = status;
      } else {
        if (better) {
          set("cmi.score.scaled", decimal(value / 100, 4));
          set("cmi.score.min", "0");
          set("cmi.score.max", "100");
          set("cmi.score.raw", decimal(value, 2));
        }
        if (statusChanges) set("cmi.success_status", status);
      }
      if (better) session.best = value;
      session.passed = status === "passed";
      requestCommit();
    } catch (error) { /* never throw */ }
  }

  function finished() {
    try {
      if (!session.started || session.terminated) return;
      session.finished = true;
      if (!connected()) {
        session.stored.finished = true;
        writeStored();
        return;
      }
      if (session.readOnly) return;
      setExit();
      requestCommit();
    } catch (error) { /* never throw */ }
  }

  function terminate() {
    try {
      if (!session.started || session.terminated) return;
      if (connected()) {
        // Finish commits: no Commit of our own just before it (one request per moment).
        clearTimer();
        setSessionTime();
        if (!session.readOnly) setExit();
        var ok = invoke("finish", "") === "true";
        if (session.lastState !== null) writeBackup(ok && !session.failing);
      }
    } catch (error) { /* never throw */ }
    session.terminated = true;
  }

  function onVisibilityChange() {
    try {
      // Browsers drop work started while a page unloads: this is the commit that survives.
      if (global.document && global.document.visibilityState === "hidden" && connected()) {
        setSessionTime();
        commitNow();
      }
    } catch (error) { /* never throw */ }
  }

  /** Shared devices: remove this device's copies (offline record, backup). Offline, saving goes on afresh;
   * with an LMS, nothing more is written (the LMS keeps what it has). */
  function clearDevice() {
    try {
      var store = storage();
      if (store) {
        if (session.backupKey) store.removeItem(session.backupKey);
        if (session.storageKey) store.removeItem(session.storageKey);
      }
      session.stored = {};
      session.passed = false;
      session.lastState = null;
      if (connected()) { clearTimer(); session.dirty = false; session.readOnly = true; }
    } catch (error) { /* never throw */ }
  }

  /** The player's listener for save problems: fn("unsaved") when the LMS refuses, fn("saved") once it accepts. */
  function onStatus(fn) { session.listener = fn; }

  global.CourseTracker = {
    start: start,
    save: save,
    interaction: interaction,
    progress: progress,
    objective: objective,
    completed: completed,
    score: score,
    finished: finished,
    terminate: terminate,
    resumeInteractions: resumeInteractions,
    replayInteractions: replayInteractions,
    onStatus: onStatus,
    clearDevice: clearDevice,
    // Exposed for tests and for the player's "tracked by your LMS" note; not part of the contract.
    formats: { timespan12: timespan12, duration2004: duration2004, clock12: clock12,
      timestamp2004: timestamp2004, response: formatResponse, identifier: identifier }
  };
})(window);
