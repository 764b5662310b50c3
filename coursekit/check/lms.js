/* The LMS of `coursekit check` and the tests: mounts scorm-again (Scorm12API / Scorm2004API) as window.API / window.API_1484_11,
 * records every call the SCO makes in window.__calls, then loads the SCO in an iframe. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var version = params.get("version") === "2004" ? "2004" : "12";
  var init = JSON.parse(params.get("init") || "{}");
  // Without lmsCommitUrl scorm-again keeps everything in memory and makes no request.
  var settings = { logLevel: 5, autocommit: false, lmsCommitUrl: false };
  var runtime = version === "12" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  if (Object.keys(init).length) runtime.loadFromJSON(init, "");
  var methods = version === "12"
    ? ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
       "LMSGetErrorString", "LMSGetDiagnostic"]
    : ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError", "GetErrorString",
       "GetDiagnostic"];
  var lastError = version === "12" ? "LMSGetLastError" : "GetLastError";
  var finish = version === "12" ? "LMSFinish" : "Terminate";
  var calls = [];
  var finished = false;
  var api = {};
  // Faults of real hosts, switched on by a test: ?faults={"refuseCommit": n, "hideCount": true, "count": "…"}
  //   refuseCommit: the first n Commits return "false" (n = -1: all of them);
  //   hideCount:    GetValue(cmi.interactions._count) returns "" and interactions are kept here (window.__kept)
  //                 by the index the SCO sent, like hosts that store every key they are given;
  //   count:        GetValue(cmi.interactions._count / cmi.objectives._count) returns this value.
  var faults = JSON.parse(params.get("faults") || "{}");
  var refused = 0;
  var kept = {};
  window.__kept = kept;
  function faulty(name, args) {
    var element = String(args[0]);
    if (/Commit$/.test(name) && faults.refuseCommit && (faults.refuseCommit < 0 || refused < faults.refuseCommit)) {
      refused++;
      return "false";
    }
    if (/GetValue$/.test(name) && /^cmi\.(interactions|objectives)\._count$/.test(element)) {
      if (faults.count !== undefined) return String(faults.count);
      if (faults.hideCount && element === "cmi.interactions._count") return "";
    }
    if (/SetValue$/.test(name) && faults.hideCount && /^cmi\.interactions\./.test(element)) {
      kept[element] = String(args[1]);
      return "true";
    }
    return null;
  }
  methods.forEach(function (name) {
    api[name] = function () {
      var args = Array.prototype.slice.call(arguments).map(String);
      var fault = faulty(name, args);
      var result = fault !== null ? fault : runtime[name].apply(runtime, arguments);
      if (name.indexOf("Error") < 0 && name.indexOf("Diagnostic") < 0) {
        calls.push({
          method: name,
          args: args,
          result: String(result),
          error: String(runtime[lastError]()),
          afterFinish: finished,
          time: Date.now()
        });
      }
      if (name === finish) finished = true;
      return result;
    };
  });
  window.__runtime = runtime;
  window.__calls = calls;
  window.__version = version;
  if (version === "12") window.API = api; else window.API_1484_11 = api;

  var frame = document.createElement("iframe");
  frame.title = "Course";
  frame.id = "sco";
  frame.src = params.get("pkg") || "pkg/index.html";
  document.body.appendChild(frame);
})();
