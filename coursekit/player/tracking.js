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
      } else {
        return null;
      }
    }
    if (type === "true-false" && parts.length !== 1) return null;
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
    var value = parseInt(get(element), 10);
    return isFinite(value) && value >= 0 ? value : -1;
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
    var total = count("cmi.objectives._count");
    for (var i = 0; i < total; i++) {
      var id = get("cmi.objectives." + i + ".id");
      if (id) session.objectives[id] = i;
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
    if (v12) {
      var mastery = parseFloat(get("cmi.student_data.mastery_score"));
      if (isFinite(mastery) && mastery >= 0 && mastery <= 100) session.passMark = mastery;
      var status = get("cmi.core.lesson_status");
      if (status === "passed" || status === "failed") session.passFail = status;
      if (!status || status === "not attempted") set("cmi.core.lesson_status", "incomplete");
    } else {
      var scaled = parseFloat(get("cmi.scaled_passing_score"));
      if (isFinite(scaled) && scaled >= -1 && scaled <= 1) session.passMark = Math.max(0, scaled * 100);
      var completion = get("cmi.completion_status");
      if (!completion || completion === "not attempted" || completion === "unknown") {
        set("cmi.completion_status", "incomplete");
      }
    }
    setExit();
    readObjectives();
    var ids = meta.objectiveIds || [];
    for (var i = 0; i < ids.length; i++) objectiveIndex(ids[i], true);
    session.interactionCount = Math.max(count("cmi.interactions._count"), 0);
    commit();
    return {
      connected: true,
      resumed: entry === "resume" || state !== "",
      state: state || null,
      location: location || "",
      passMark: session.passMark
    };
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
    session.result = {
      connected: false,
      resumed: stored !== null,
      state: stored,
      location: typeof session.stored.location === "string" ? session.stored.location : "",
      passMark: session.passMark
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
      commit();
    } catch (error) { /* never throw into the player */ }
  }

  function interaction(record) {
    try {
      if (!connected() || !record) return;
      var v12 = session.version === "scorm12";
      var type = record.type;
      if (type !== "choice" && type !== "true-false" && type !== "sequencing" && type !== "matching") return;
      var id = identifier(record.id);
      if (!id) return;
      var index = count("cmi.interactions._count");
      if (index < 0) index = session.interactionCount;
      var prefix = "cmi.interactions." + index + ".";
      // 2004 order matters: id, then type, before any response (error 408 otherwise).
      if (!set(prefix + "id", id)) return;
      session.interactionCount = index + 1;
      set(prefix + "type", type);
      if (record.objectiveId) set(prefix + "objectives.0.id", identifier(record.objectiveId));
      var now = new Date();
      set(prefix + (v12 ? "time" : "timestamp"), v12 ? clock12(now) : timestamp2004(now));
      var correct = formatResponse(session.version, type, record.correct);
      if (correct !== null) set(prefix + "correct_responses.0.pattern", correct);
      var response = formatResponse(session.version, type, record.response);
      if (response !== null) set(prefix + (v12 ? "student_response" : "learner_response"), response);
      var result = record.result;
      if (result === "incorrect" && v12) result = "wrong";
      if (result === "correct" || result === "neutral" || result === "wrong" || result === "incorrect") {
        set(prefix + "result", result);
      }
      var latency = Number(record.latencyMs);
      if (isFinite(latency) && latency >= 0) {
        set(prefix + "latency", v12 ? timespan12(latency) : duration2004(latency));
      }
      if (!v12 && record.description) set(prefix + "description", description2004(record.description));
    } catch (error) { /* never throw into the player */ }
  }

  function progress(fraction) {
    try {
      if (!connected() || session.version !== "scorm2004") return;
      var value = Math.min(1, Math.max(0, Number(fraction) || 0));
      set("cmi.progress_measure", decimal(value, 4));
    } catch (error) { /* never throw */ }
  }

  function objective(id, status, scorePercent) {
    try {
      if (!connected()) return;
      var valid = { completed: 1, incomplete: 1, passed: 1, failed: 1 };
      if (!valid[status]) return;
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
      commit();
    } catch (error) { /* never throw */ }
  }

  function completed() {
    try {
      if (!session.started || session.terminated) return;
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
      commit();
    } catch (error) { /* never throw */ }
  }

  function score(percent, passed) {
    try {
      if (!connected()) return;
      var value = clampPercent(percent);
      // The LMS's mastery score (from the manifest, or changed by an administrator) decides.
      var pass = session.passMark !== null ? value >= session.passMark : Boolean(passed);
      var status = pass ? "passed" : "failed";
      if (session.version === "scorm12") {
        set("cmi.core.score.min", "0");
        set("cmi.core.score.max", "100");
        set("cmi.core.score.raw", decimal(value, 2));
        set("cmi.core.lesson_status", status);
        session.passFail = status;
      } else {
        set("cmi.score.scaled", decimal(value / 100, 4));
        set("cmi.score.min", "0");
        set("cmi.score.max", "100");
        set("cmi.score.raw", decimal(value, 2));
        set("cmi.success_status", status);
      }
      commit();
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
      setExit();
      commit();
    } catch (error) { /* never throw */ }
  }

  function terminate() {
    try {
      if (!session.started || session.terminated) return;
      if (connected()) {
        setSessionTime();
        setExit();
        invoke("finish", "");
      }
    } catch (error) { /* never throw */ }
    session.terminated = true;
  }

  function onVisibilityChange() {
    try {
      // Browsers drop work started while a page unloads: this is the commit that survives.
      if (global.document && global.document.visibilityState === "hidden" && connected()) {
        setSessionTime();
        commit();
      }
    } catch (error) { /* never throw */ }
  }

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
    // Exposed for tests and for the player's "tracked by your LMS" note; not part of the contract.
    formats: { timespan12: timespan12, duration2004: duration2004, clock12: clock12,
      timestamp2004: timestamp2004, response: formatResponse, identifier: identifier }
  };
})(window);
