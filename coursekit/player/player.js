/* coursekit learner player: one screen at a time, scenarios, quizzes, progress and resume.
   No framework, no eval, no network. All texts come from the server-rendered index.html;
   #course-data holds only structure. Tracking goes through window.CourseTracker (tracking.js).
   The state encoding is mirrored in Python by coursekit.targets.web.worst_case_state_length. */
(function () {
  "use strict";

  var doc = document;
  var dataElement = doc.getElementById("course-data");
  if (!dataElement) { return; }
  var C = JSON.parse(dataElement.textContent);
  // Engine strings in the course's language (#ck-strings, from coursekit/messages/*.yaml), {name} filled.
  var stringsElement = doc.getElementById("ck-strings");
  var STRINGS = stringsElement ? JSON.parse(stringsElement.textContent) : {};
  function L(key, values) {
    return (STRINGS[key] || key).replace(/\{(\w+)\}/g, function (whole, name) { return values && name in values ? values[name] : whole; });
  }
  doc.documentElement.classList.add("js");

  var noop = function () {};
  var T = window.CourseTracker || {
    start: function () { return { connected: false, resumed: false, state: null, location: "" }; },
    save: noop, interaction: noop, progress: noop, objective: noop, completed: noop, score: noop,
    finished: noop, terminate: noop
  };
  ["resumeInteractions", "replayInteractions", "onStatus", "clearDevice"].forEach(function (name) { if (typeof T[name] !== "function") { T[name] = noop; } });

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var QUALITY = {
    best: { label: L("good_choice"), result: "correct", mark: "correct" },
    ok: { label: L("okay_choice"), result: "neutral", mark: "" },
    poor: { label: L("poor_choice"), result: "incorrect", mark: "incorrect" },
    // A choice the author does not grade (the targeted person's reactions): never marked wrong.
    ungraded: { label: C.ungradedLabel, result: "neutral", mark: "" }
  };
  function qualityOf(choice) { return QUALITY[choice.quality || "ungraded"]; }

  var byId = function (id) { return doc.getElementById(id); };
  var all = function (root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); };
  var text = function (node) { return node ? node.textContent.replace(/\s+/g, " ").trim() : ""; };
  var clip = function (value, length) { return value.length > length ? value.slice(0, length - 1) + "…" : value; };
  var now = function () { return Date.now(); };

  function make(tag, className, content) {
    var node = doc.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function markIcon(kind) {
    var template = byId("mark-" + kind);
    return template ? template.content.cloneNode(true) : doc.createDocumentFragment();
  }

  function mark(kind, label) {
    var node = make("p", "mark is-" + kind);
    node.appendChild(markIcon(kind));
    node.appendChild(make("span", "", label));
    return node;
  }

  var announcer = byId("announcer");
  function announce(message) {
    if (!announcer || !message) { return; }
    announcer.replaceChildren(make("p", "", message));
  }

  // --- questions and state -----------------------------------------------------------------

  var questions = [];  // every question of every quiz, in state order
  C.quizzes.forEach(function (quiz) {
    quiz.questions.forEach(function (question) {
      question.quiz = quiz;
      question.index = questions.length;
      questions.push(question);
    });
  });

  function freshState() {
    return {
      seed: "",
      visited: C.pages.map(function () { return false; }),
      answers: questions.map(function () { return ""; }),
      paths: C.scenarios.map(function () { return null; }),  // {start: node index, steps: [choice index]}
      next: 0,       // the next LMS interaction index (for LMSs that do not report _count)
      reset: false   // answers from an earlier version of the course were dropped
    };
  }
  var S = freshState();
  var KEYS = [C.pageKeys.join(""), questions.map(function (q) { return q.k; }).join(""),
    C.scenarios.map(function (sc) { return sc.k; }).join("")].join("-");

  function pad36(number, width) {
    var value = number.toString(36);
    while (value.length < width) { value = "0" + value; }
    return value;
  }

  function encodeState() {
    var visited = "";
    for (var i = 0; i < S.visited.length; i += 5) {
      var bits = 0;
      for (var j = 0; j < 5 && i + j < S.visited.length; j++) { if (S.visited[i + j]) { bits |= 1 << j; } }
      visited += bits.toString(32);
    }
    var paths = S.paths.map(function (path, index) {
      return path ? pad36(path.start, C.scenarios[index].width) + path.steps.join("") : "";
    });
    return [C.state, S.seed, visited, S.answers.join("."), paths.join("."), S.next.toString(36), KEYS].join("|");
  }

  function validAnswer(question, code) { return TYPES[question.type].valid(question, code); }

  function decodePath(scenario, code) {
    if (!code || scenario.width === undefined) { return null; }
    var start = parseInt(code.slice(0, scenario.width), 36);
    var steps = code.slice(scenario.width).split("").map(Number);
    var node = start;
    var ok = scenario.nodes[start] !== undefined && steps.length <= scenario.cap && steps.every(function (choice) {
      var current = scenario.nodes[node];
      if (!current.choices || !current.choices[choice]) { return false; }
      node = current.choices[choice].next;
      return true;
    });
    return ok ? { start: start, steps: steps } : null;
  }

  function chunks(value) { return value.match(/[0-9a-z]{2}/g) || []; }

  // Matches saved positions to the current course by key; keys that no longer exist are dropped.
  function mapping(oldKeys, newKeys) {
    var used = {};
    return oldKeys.map(function (key) {
      for (var i = 0; i < newKeys.length; i++) {
        if (newKeys[i] === key && !used[i]) { used[i] = true; return i; }
      }
      return -1;
    });
  }

  // A state string -> a state object, or null. Version 2 states from an earlier version of the course
  // are migrated: pages seen, answers to questions and stories that still exist are kept.
  function decodeState(value) {
    var parts = typeof value === "string" && value.length <= 64000 ? value.split("|") : [];
    var v2 = parts.length === 7 && parts[0] === C.state;
    if (!v2 && !(parts.length === 5 && parts[0] === "1")) { return null; }
    if (!/^[0-9a-z]+$/.test(parts[1]) || parts[1].length !== C.seedLength) { return null; }
    var keys = v2 ? parts[6].split("-") : [];
    if (v2 && (keys.length !== 3 || !/^[0-9a-z]*$/.test(keys.join("")))) { return null; }
    var pageKeys = v2 ? chunks(keys[0]) : C.pageKeys;
    var questionKeys = v2 ? chunks(keys[1]) : questions.map(function (q) { return q.k; });
    var storyKeys = v2 ? chunks(keys[2]) : C.scenarios.map(function (sc) { return sc.k; });
    var answers = parts[3].split(".");
    var paths = storyKeys.length ? parts[4].split(".") : [];
    if (parts[2].length !== Math.ceil(pageKeys.length / 5) || answers.length !== questionKeys.length ||
        paths.length !== storyKeys.length) { return null; }
    var state = freshState();
    state.seed = parts[1];
    state.next = v2 && /^[0-9a-z]{1,3}$/.test(parts[5]) ? Math.min(parseInt(parts[5], 36), C.maxInteractions) : 0;
    mapping(pageKeys, C.pageKeys).forEach(function (to, i) {
      if (to >= 0) { state.visited[to] = ((parseInt(parts[2].charAt(Math.floor(i / 5)), 32) || 0) >> (i % 5) & 1) === 1; }
    });
    mapping(questionKeys, questions.map(function (q) { return q.k; })).forEach(function (to, i) {
      var code = answers[i];
      if (to >= 0 && validAnswer(questions[to], code)) { state.answers[to] = code; }
      else if (code) { state.reset = true; }
    });
    mapping(storyKeys, C.scenarios.map(function (sc) { return sc.k; })).forEach(function (to, i) {
      if (to >= 0) { state.paths[to] = decodePath(C.scenarios[to], paths[i]); }
    });
    return state;
  }

  // How far a saved state got: to choose between the LMS's copy and this device's backup.
  function reach(state) {
    var steps = 0;
    state.paths.forEach(function (path) { steps += path ? path.steps.length : 0; });
    return state.next * 1000 + state.visited.filter(Boolean).length + state.answers.filter(Boolean).length + steps;
  }

  function newSeed() {
    var max = Math.pow(36, C.seedLength);
    var value = Math.floor(Math.random() * max);
    if (window.crypto && window.crypto.getRandomValues) {
      value = window.crypto.getRandomValues(new Uint32Array(1))[0] % max;
    }
    return pad36(value, C.seedLength);
  }

  // A small seeded generator (mulberry32): the learner's option order survives a reload.
  function generator(seedText, key) {
    var seed = parseInt(seedText, 36) || 1;
    for (var i = 0; i < key.length; i++) { seed = Math.imul(seed ^ key.charCodeAt(i), 2654435761) >>> 0; }
    return function () {
      seed = (seed + 0x6D2B79F5) >>> 0;
      var t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // --- navigation ----------------------------------------------------------------------------

  var currentId = "";
  var shownAt = now();
  var pageIndex = {};
  C.pages.forEach(function (id, index) { pageIndex[id] = index; });
  var completedSent = false;
  var objectivePages = {};
  C.modules.forEach(function (module) {
    module.objectives.forEach(function (objective) {
      objectivePages[objective] = (objectivePages[objective] || []).concat(module.pages);
    });
  });

  function save() { T.save(encodeState(), currentId); }

  // Each screen is a history entry: Back (browser or Android) goes to the previous screen; #id deep-links.
  function go(id, focus, fromHistory) {
    var target = byId(id);
    if (!target || C.screens.indexOf(id) < 0) { return; }
    if (!fromHistory && id !== location.hash.slice(1)) {
      try { history[currentId ? "pushState" : "replaceState"](null, "", "#" + id); } catch (error) { /* sandboxed */ }
    }
    C.screens.forEach(function (screenId) { byId(screenId).hidden = screenId !== id; });
    currentId = id;
    shownAt = now();
    var heading = target.querySelector("h1");
    doc.title = text(heading) + " – " + C.title;
    if (id in pageIndex) { visit(pageIndex[id]); }
    if (id === "results") { renderResults(); }
    if (id === "end") { renderEnd(); }
    if (focus) {
      window.scrollTo(0, 0);
      heading.focus();
    }
    save();
  }

  function visit(index) {
    if (S.visited[index]) { return; }
    S.visited[index] = true;
    var count = S.visited.filter(Boolean).length;
    // An objective is completed once every page of every module that has it has been seen.
    Object.keys(objectivePages).forEach(function (objective) {
      var pages = objectivePages[objective];
      if (pages.indexOf(C.pages[index]) >= 0 && pages.every(function (page) { return S.visited[pageIndex[page]]; })) {
        T.objective(objective, "completed");
      }
    });
    checkCompletion();
  }

  // Completion counts what course.yaml says (pages seen, stories played to an ending, checks answered).
  function todo() {
    var left = [];
    if (C.completion.indexOf("pages") >= 0) {
      C.pages.forEach(function (page, index) { if (!S.visited[index]) { left.push(page); } });
    }
    if (C.completion.indexOf("stories") >= 0) {
      C.scenarios.forEach(function (scenario, index) {
        if (!ended[index]) { left.push(scenario.screen); }
      });
    }
    if (C.completion.indexOf("checks") >= 0) {
      C.quizzes.forEach(function (quiz) {
        var score = quizScore(quiz);
        if (!quiz.final && score.answered < score.questions) { left.push(quiz.screen); }
      });
    }
    return left;
  }

  function units() {
    return (C.completion.indexOf("pages") >= 0 ? C.pages.length : 0) +
      (C.completion.indexOf("stories") >= 0 ? C.scenarios.length : 0) +
      (C.completion.indexOf("checks") >= 0 ? C.quizzes.length - 1 : 0);
  }

  function checkCompletion() {
    var left = todo().length;
    T.progress((units() - left) / Math.max(1, units()));
    if (!left && !completedSent) {
      completedSent = true;
      T.completed();
    }
  }

  // --- quizzes ---------------------------------------------------------------------------------

  function questionElement(question) { return byId(question.el); }

  function questionDescription(question) {
    return clip(text(questionElement(question).querySelector(".prompt")), 250);
  }

  function clearMarks(element) {
    all(element, ".mark").forEach(function (node) { node.remove(); });
    all(element, ".option-feedback").forEach(function (node) { node.hidden = true; });
  }

  function showFeedback(item, node) {
    var feedback = item.querySelector(".option-feedback");
    item.insertBefore(node, feedback);
    feedback.hidden = false;
  }

  // Options (radio buttons or check boxes) whose value is the code's letters (or t/f).
  var choiceType = {
    count: function (element) { return all(element, ".option").length; },
    read: function (element) {
      return all(element, "input:checked").map(function (input) { return input.value.charAt(0); }).sort().join("");
    },
    restore: function (element, code) {
      all(element, "input").forEach(function (input) { input.checked = code.indexOf(input.value.charAt(0)) >= 0; });
    },
    score: function (question, code) { return code === question.correct.join(""); },
    response: function (question, code) { return code.split(""); },
    mark: function (question, element) {
      all(element, ".option").forEach(function (option) {
        var chosen = option.querySelector("input").checked;
        var right = question.correct.indexOf(option.getAttribute("data-value")) >= 0;
        var label = chosen ? L(right ? "your_answer_right" : "your_answer_wrong")
          : (right ? TYPES[question.type].missed : "");
        if (label) { showFeedback(option, mark(right ? "correct" : "incorrect", label)); }
      });
    },
    missing: L("choose_first"),
    missed: L("right_answer"),
    shuffles: true
  };

  function extend(base, changes) {
    var result = {};
    Object.keys(base).forEach(function (key) { result[key] = base[key]; });
    Object.keys(changes).forEach(function (key) { result[key] = changes[key]; });
    return result;
  }

  // One entry per question type: how it is validated, read, restored, scored, reported and marked.
  // coursekit/questions.py declares the same types; a type missing here fails the build's tests.
  var TYPES = {
    single: extend(choiceType, {
      valid: function (question, code) { return /^[a-z]$/.test(code) && LETTERS.indexOf(code) < question.optionCount; }
    }),
    multiple: extend(choiceType, {
      valid: function (question, code) {
        return /^[a-z]+$/.test(code) && code.split("").every(function (l) { return LETTERS.indexOf(l) < question.optionCount; });
      },
      missed: L("also_right")
    }),
    true_false: extend(choiceType, {
      valid: function (question, code) { return code === "t" || code === "f"; },
      score: function (question, code) { return code === question.correct[0].charAt(0); },
      response: function (question, code) { return [code === "t" ? "true" : "false"]; },
      mark: function (question, element) {
        choiceType.mark({ type: question.type, correct: [question.correct[0]] }, element);
      },
      shuffles: false
    }),
    order: {
      count: function (element) { return all(element, ".order-item").length; },
      valid: function (question, code) {
        var size = question.correct.length;
        return code.length === size && code.split("").sort().join("") === LETTERS.slice(0, size);
      },
      read: function (element) {
        return all(element, ".order-item").map(function (item) { return item.getAttribute("data-value"); }).join("");
      },
      restore: function (element, code) {
        var list = element.querySelector(".order-list");
        code.split("").forEach(function (letter) { list.appendChild(list.querySelector('[data-value="' + letter + '"]')); });
      },
      score: function (question, code) { return code === question.correct.join(""); },
      response: function (question, code) { return code.split(""); },
      mark: function (question, element) {
        all(element, ".order-item").forEach(function (item, position) {
          var right = LETTERS.indexOf(item.getAttribute("data-value"));
          showFeedback(item, right === position ? mark("correct", L("right_place"))
            : mark("incorrect", L("wrong_place", { n: right + 1 })));
        });
      },
      missing: L("choose_first"),
      shuffles: false
    },
    match: {
      count: function (element) { return element.querySelector("select").options.length - 1; },
      valid: function (question, code) {
        return code.length === question.correct.length && code.split("").every(function (digit) {
          var number = parseInt(digit, 36);
          return number >= 1 && number <= question.optionCount;
        });
      },
      read: function (element) {
        var selects = all(element, "select");
        if (selects.some(function (select) { return !select.value; })) { return ""; }
        return selects.map(function (select) { return Number(select.value).toString(36); }).join("");
      },
      restore: function (element, code) {
        all(element, "select").forEach(function (select, index) { select.value = String(parseInt(code.charAt(index), 36)); });
      },
      score: function (question, code) {
        return code.split("").every(function (digit, index) { return parseInt(digit, 36) === index + 1; });
      },
      response: function (question, code) {
        return code.split("").map(function (digit, index) { return LETTERS.charAt(index) + "." + parseInt(digit, 36); });
      },
      mark: function (question, element) {
        all(element, ".match-item").forEach(function (item, index) {
          var select = item.querySelector("select");
          var right = select.querySelector('option[value="' + (index + 1) + '"]');
          showFeedback(item, select.value === String(index + 1) ? mark("correct", L("match_right"))
            : mark("incorrect", L("match_wrong", { answer: text(right) })));
        });
      },
      missing: L("choose_each_first"),
      shuffles: false
    },
    scale: {
      count: function (element) { return all(element, ".option").length; },
      valid: function (question, code) { return /^[1-9]$/.test(code) && Number(code) <= question.optionCount; },
      read: choiceType.read,
      restore: choiceType.restore,
      score: function () { return null; },  // not scored: there is no right answer
      response: function (question, code) { return [code]; },
      mark: function (question, element) {
        all(element, ".option").forEach(function (option) {
          if (option.querySelector("input").checked) { option.appendChild(make("p", "mark", L("your_answer"))); }
        });
      },
      missing: L("choose_number_first"),
      shuffles: false
    }
  };

  function readAnswer(question) { return TYPES[question.type].read(questionElement(question)); }

  // true or false; null for a question that is not scored.
  function isCorrect(question, code) { return question.scored ? TYPES[question.type].score(question, code) : null; }

  function markOptions(question, code) {
    var element = questionElement(question);
    clearMarks(element);
    TYPES[question.type].mark(question, element, code);
  }

  function lockQuestion(question, locked) {
    var element = questionElement(question);
    all(element, "input, select").forEach(function (control) { control.disabled = locked; });
    all(element, ".order-buttons").forEach(function (node) { node.hidden = locked; });
    var submit = element.querySelector('button[type="submit"]');
    submit.textContent = L(locked ? "answer_submitted" : "submit_answer");
    submit.classList.toggle("secondary", locked);
    if (locked) { submit.setAttribute("aria-disabled", "true"); } else { submit.removeAttribute("aria-disabled"); }
  }

  function showResult(question, code) {
    var element = questionElement(question);
    var right = isCorrect(question, code);
    TYPES[question.type].restore(questionElement(question), code);
    markOptions(question, code);
    lockQuestion(question, true);
    var result = element.querySelector(".question-result");
    result.hidden = false;
    result.classList.toggle("is-correct", right === true);
    result.classList.toggle("is-incorrect", right === false);
    var verdict = result.querySelector(".verdict");
    all(result, "[data-overall]").forEach(function (node) {
      node.hidden = node.getAttribute("data-overall") !== (right ? "correct" : "incorrect");
    });
    if (right === null) {
      verdict.className = "verdict";
      verdict.replaceChildren(make("span", "", L("no_right_answer")));
      return right;
    }
    verdict.className = "verdict " + (right ? "is-correct" : "is-incorrect");
    verdict.replaceChildren(markIcon(right ? "correct" : "incorrect"),
      make("span", "", L(right ? "correct" : "not_quite")));
    return right;
  }

  var questionStart = {};

  function sent(next) {
    S.next = Math.min(C.maxInteractions, typeof next === "number" && isFinite(next) ? next : S.next + 1);
  }

  function submitQuestion(question) {
    if (S.answers[question.index]) { return; }
    var code = readAnswer(question);
    var element = questionElement(question);
    var actions = element.querySelector(".question-actions");
    var message = actions.querySelector(".submit-message") || actions.appendChild(make("p", "submit-message"));
    message.textContent = code ? "" : TYPES[question.type].missing;
    if (!code) {
      announce(message.textContent);
      return;
    }
    S.answers[question.index] = code;
    var right = showResult(question, code);
    var started = Math.max(shownAt, questionStart[question.quiz.id] || 0);
    var record = {
      id: question.iid, type: question.kind, response: TYPES[question.type].response(question, code), correct: question.correct,
      latencyMs: Math.max(0, now() - started), description: questionDescription(question)
    };
    if (right !== null) { record.result = right ? "correct" : "incorrect"; }  // unscored: no judgement
    if (question.objectives.length) { record.objectiveId = question.objectives[0]; }
    sent(T.interaction(record));
    questionStart[question.quiz.id] = now();
    var overall = all(element, "[data-overall]").filter(function (node) { return !node.hidden; }).map(text).join(" ");
    var message = [text(element.querySelector(".verdict")), overall, text(element.querySelector(".explanation"))].join(" ");
    var summary = quizFinished(question.quiz, true);
    announce((message + " " + summary).trim());
    save();
  }

  // Every question must be answered; only scored ones count towards the score.
  function quizScore(quiz) {
    var answered = 0;
    var right = 0;
    var scored = 0;
    quiz.questions.forEach(function (question) {
      var code = S.answers[question.index];
      if (question.scored) { scored++; }
      if (code) { answered++; if (isCorrect(question, code) === true) { right++; } }
    });
    return { answered: answered, questions: quiz.questions.length, right: right, total: scored,
      percent: scored ? Math.round(100 * right / scored) : 0 };
  }

  // Updates the quiz summary; reports the score when the final assessment has just been completed.
  function quizFinished(quiz, fresh) {
    var score = quizScore(quiz);
    var panel = byId(quiz.screen).querySelector(".quiz-summary");
    var counter = byId(quiz.screen).querySelector(".quiz-progress");
    if (counter) { counter.textContent = L("answered_of", { n: score.answered, count: score.questions }); }
    if (fresh) { checkCompletion(); }
    if (score.answered < score.questions) { panel.hidden = true; return ""; }
    if (quiz.final) { pager.querySelector(".submit-message").textContent = ""; }
    var tally = score.total ? L("you_got", { n: score.right, count: score.total }) : L("thanks_answers");
    var summary = quiz.final ? L("answered_all", { tally: tally }) : tally;
    panel.querySelector(".summary-text").textContent = summary;
    panel.hidden = false;
    if (quiz.final && fresh) {
      var passed = score.percent >= C.passMark;
      reportObjectives(quiz);
      T.score(score.percent, passed);
      if (passed) { passedBefore = true; }
    }
    return summary;
  }

  function reportObjectives(quiz) {
    var tally = {};
    quiz.questions.forEach(function (question) {
      if (!question.scored) { return; }
      question.objectives.forEach(function (objective) {
        tally[objective] = tally[objective] || { right: 0, total: 0 };
        tally[objective].total++;
        if (isCorrect(question, S.answers[question.index])) { tally[objective].right++; }
      });
    });
    Object.keys(tally).forEach(function (objective) {
      var percent = Math.round(100 * tally[objective].right / tally[objective].total);
      T.objective(objective, percent >= C.passMark ? "passed" : "failed", percent);
    });
  }

  function resetQuestion(question) {
    var element = questionElement(question);
    S.answers[question.index] = "";
    clearMarks(element);
    lockQuestion(question, false);
    all(element, "input").forEach(function (input) { input.checked = false; });
    all(element, "select").forEach(function (select) { select.value = ""; });
    element.querySelector(".question-result").hidden = true;
    var list = element.querySelector(".order-list");
    if (list) { list.moved = false; }
    updateMoveButtons(list);
  }

  function moveItem(button) {
    var item = button.closest(".order-item");
    var list = item.parentNode;
    var up = button.getAttribute("data-move") === "up";
    var sibling = up ? item.previousElementSibling : item.nextElementSibling;
    var name = text(item.querySelector(".order-text"));
    if (!sibling) {
      announce(L(up ? "already_first" : "already_last", { item: name }));
      return;
    }
    list.insertBefore(item, up ? sibling : sibling.nextElementSibling);
    list.moved = true;
    updateMoveButtons(list);
    button.focus();
    var items = all(list, ".order-item");
    announce(L("moved_to", { item: name, n: items.indexOf(item) + 1, count: items.length }));
  }

  function updateMoveButtons(list) {
    if (!list) { return; }
    var items = all(list, ".order-item");
    items.forEach(function (item, index) {
      var edges = { up: index === 0, down: index === items.length - 1 };
      all(item, "[data-move]").forEach(function (button) {
        if (edges[button.getAttribute("data-move")]) { button.setAttribute("aria-disabled", "true"); }
        else { button.removeAttribute("aria-disabled"); }
      });
    });
  }

  function shuffleOptions(question) {
    if (!question.quiz.shuffle || !TYPES[question.type].shuffles) { return; }
    var list = questionElement(question).querySelector(".options");
    var items = all(list, ".option");
    var random = generator(S.seed, question.el);
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = items[i]; items[i] = items[j]; items[j] = swap;
    }
    items.forEach(function (item) { list.appendChild(item); });
  }

  // shuffle_questions: each learner's own question order, from the seed kept in the saved state (stable on resume).
  function shuffleQuestions(quiz) {
    if (!quiz.shuffleQuestions) { return; }
    var list = byId(quiz.screen).querySelector(".questions");
    var items = quiz.questions.map(questionElement);
    var random = generator(S.seed, quiz.id + "/questions");
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1));
      var swap = items[i]; items[i] = items[j]; items[j] = swap;
    }
    items.forEach(function (item, position) {
      list.appendChild(item);
      var number = item.querySelector(".question-number");
      if (number) { number.textContent = L("question_of", { n: position + 1, count: items.length }); }
    });
  }

  function finalQuiz() { return C.quizzes.filter(function (quiz) { return quiz.final; })[0]; }

  // The final assessment's questions as the learner sees them (shuffle_questions reorders them).
  function shownQuestions() {
    var order = all(byId("final"), ".question").map(function (element) { return element.id; });
    return finalQuiz().questions.slice().sort(function (a, b) { return order.indexOf(a.el) - order.indexOf(b.el); });
  }

  // On a small screen the final assessment shows one question at a time: Back and Next page through it
  // (a chosen answer stays chosen), and the last one submits every answer chosen but not yet submitted.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : { matches: false };
  var pager = make("nav", "question-pager");
  var pagedAt = 0;
  function pageButton(label, action, className) {
    var button = pager.appendChild(make("button", "button " + className, label));
    button.type = "button";
    button.setAttribute("data-page", action);
    return button;
  }

  function showQuestion(position, focus) {
    var shown = shownQuestions();
    var paged = narrow.matches;
    pagedAt = Math.max(0, Math.min(position, shown.length - 1));
    shown.forEach(function (question, k) { questionElement(question).hidden = paged && k !== pagedAt; });
    pager.hidden = !paged;
    pager.querySelector(".pager-label").textContent = L("question_of", { n: pagedAt + 1, count: shown.length });
    pager.querySelector('[data-page="back"]').hidden = !pagedAt;
    pager.querySelector('[data-page="next"]').hidden = pagedAt === shown.length - 1;
    pager.querySelector('[data-page="finish"]').hidden = pagedAt < shown.length - 1;
    if (paged && focus) {
      var element = questionElement(shown[pagedAt]);
      element.scrollIntoView({ block: "start" });
      var legend = element.querySelector("legend");
      legend.tabIndex = -1;
      legend.focus({ preventScroll: true });
    }
  }

  function submitAll() {
    var shown = shownQuestions();
    // An ordering question always has an order: it counts as answered once an item has been moved.
    shown.forEach(function (question) {
      var list = questionElement(question).querySelector(".order-list");
      if (!S.answers[question.index] && readAnswer(question) && (!list || list.moved)) { submitQuestion(question); }
    });
    var open = [];
    shown.forEach(function (question, k) { if (!S.answers[question.index]) { open.push(k); } });
    var message = pager.querySelector(".submit-message");
    message.textContent = open.length ? L("not_answered_yet", { list: open.map(function (k) { return k + 1; }).join(", ") }) : "";
    if (open.length) {
      announce(message.textContent);
      showQuestion(open[0], true);
    } else {
      byId("final").querySelector(".summary-text").focus();
    }
  }

  function renderResults() {
    var quiz = finalQuiz();
    var score = quizScore(quiz);
    var body = byId("results").querySelector(".results-body");
    if (score.answered < score.questions) { return; }
    var passed = score.percent >= C.passMark;
    var nodes = [
      make("p", "score", L("you_scored", { percent: score.percent, n: score.right, count: score.total })),
      make("p", "", L("pass_mark", { percent: C.passMark }) + " " + L(passed ? "passed"
        : passedBefore ? "passed_before" : "not_passed"))
    ];
    var revisit = [];
    quiz.questions.forEach(function (question) {
      if (isCorrect(question, S.answers[question.index]) !== false) { return; }
      question.revisit.forEach(function (page) { if (revisit.indexOf(page) < 0) { revisit.push(page); } });
    });
    revisit.sort(function (a, b) { return pageIndex[a] - pageIndex[b]; });
    var wrong = make("ol", "wrong-list");
    shownQuestions().forEach(function (question, number) {
      if (isCorrect(question, S.answers[question.index]) !== false) { return; }
      var item = wrong.appendChild(make("li", "", L("missed_question", { n: number + 1, question: clip(questionDescription(question), 90) }) + " "));
      question.revisit.forEach(function (page) {
        var link = item.appendChild(make("a", "", L("read_page", { title: text(byId(page).querySelector("h1")) })));
        link.href = "#" + page;
      });
    });
    if (wrong.children.length) {
      nodes.push(make("h2", "", L("questions_missed")), wrong);
    }
    if (revisit.length) {
      nodes.push(make("h2", "", L("what_to_revisit")));
      var list = make("ul", "revisit");
      revisit.forEach(function (page) {
        var link = make("a", "", text(byId(page).querySelector("h1")));
        link.href = "#" + page;
        var item = make("li");
        item.appendChild(link);
        list.appendChild(item);
      });
      nodes.push(list);
    } else if (score.right < score.total) {
      nodes.push(make("p", "", L("look_again_feedback")));
    } else {
      nodes.push(make("p", "", L("all_correct")));
    }
    if (score.right < score.total) {
      var retry = make("button", "button secondary", L(passedBefore || passed ? "practise_again" : "try_again"));
      retry.type = "button";
      retry.setAttribute("data-action", "retry-final");
      var holder = make("p");
      holder.appendChild(retry);
      nodes.push(holder);
    }
    body.replaceChildren.apply(body, nodes);
  }

  function renderEnd() {
    var status = byId("end").querySelector(".end-status");
    var left = todo();
    var missing = left.filter(function (id) { return id in pageIndex; });
    var score = quizScore(finalQuiz());
    var nodes = [];
    var done = !left.length && score.answered === score.questions;
    byId("end").querySelector("h1").textContent = done ? endTitle : L("not_finished_title");
    if (done) {
      nodes.push(make("p", "", L("finished")));
      T.finished();
    } else {
      nodes.push(make("p", "", L("not_finished")));
      var list = make("ul");
      if (missing.length) {
        var pageLink = make("a", "", L(missing.length === 1 ? "pages_unseen_one" : "pages_unseen", { n: missing.length }));
        pageLink.href = "#" + missing[0];
        list.appendChild(make("li")).appendChild(pageLink);
      }
      left.filter(function (id) { return !(id in pageIndex); }).forEach(function (id) {
        var link = make("a", "", text(byId(id).querySelector("h1")));
        link.href = "#" + id;
        list.appendChild(make("li")).appendChild(link);
      });
      if (score.answered < score.questions) {
        var finalLink = make("a", "", L("the_final"));
        finalLink.href = "#final";
        list.appendChild(make("li")).appendChild(finalLink);
      }
      nodes.push(list);
    }
    status.replaceChildren.apply(status, nodes);
    status.hidden = false;
  }

  // --- scenarios ---------------------------------------------------------------------------

  function scenarioParts(index) {
    var scenario = C.scenarios[index];
    var screen = byId(scenario.screen);
    return { scenario: scenario, screen: screen, log: screen.querySelector(".chat-log"),
      controls: screen.querySelector(".chat-controls"), who: screen.querySelector(".chat").getAttribute("data-protagonist") };
  }

  function nodeElement(scenario, node) { return byId(scenario.nodes[node].el); }

  function appendMessages(parts, node) {
    all(nodeElement(parts.scenario, node), ".messages > li").forEach(function (message) {
      parts.log.appendChild(message.cloneNode(true));
    });
  }

  function choiceElements(parts, node) { return all(nodeElement(parts.scenario, node), ".choices > li"); }

  function appendChoice(parts, node, choice) {
    var choiceNode = choiceElements(parts, node)[choice];
    var quality = qualityOf(parts.scenario.nodes[node].choices[choice]);
    var mine = make("li", "message mine");
    mine.appendChild(make("span", "sender", nodeElement(parts.scenario, node).getAttribute("data-chooser") || parts.who));
    var said = make("span", "text");
    Array.prototype.forEach.call(choiceNode.querySelector("summary").childNodes, function (child) { said.appendChild(child.cloneNode(true)); });
    mine.appendChild(said);
    parts.log.appendChild(mine);
    var feedback = make("li", "message feedback" + (quality.mark ? " is-" + quality.mark : ""));
    var label = make("span", "sender");
    if (quality.mark) { label.appendChild(markIcon(quality.mark)); }
    label.appendChild(doc.createTextNode(" " + quality.label));
    feedback.appendChild(label);
    feedback.appendChild(choiceNode.querySelector(".choice-feedback p:not(.choice-label)").cloneNode(true));
    parts.log.appendChild(feedback);
    return quality.label + ". " + text(choiceNode.querySelector(".choice-feedback p:not(.choice-label)"));
  }

  function showControls(index, node) {
    var parts = scenarioParts(index);
    var element = nodeElement(parts.scenario, node);
    var data = parts.scenario.nodes[node];
    var focusTarget;
    if (data.choices) {
      var prompt = element.querySelector(".prompt").cloneNode(true);
      prompt.id = parts.scenario.screen + "-prompt";
      prompt.tabIndex = -1;
      var list = make("ul", "choice-list");
      list.setAttribute("aria-labelledby", prompt.id);
      choiceElements(parts, node).forEach(function (choice, position) {
        var button = make("button", "button secondary");
        button.type = "button";
        button.setAttribute("data-scenario", String(index));
        button.setAttribute("data-choice", String(position));
        Array.prototype.forEach.call(choice.querySelector("summary").childNodes, function (child) { button.appendChild(child.cloneNode(true)); });
        list.appendChild(make("li")).appendChild(button);
      });
      parts.controls.replaceChildren(prompt, list);
      focusTarget = prompt;
    } else {
      var ending = element.querySelector(".ending").cloneNode(true);
      var title = ending.querySelector(".ending-title");
      title.tabIndex = -1;
      // A retry ending invites another try: its button is the main action.
      ended[index] = true;
      if (data.ending === "neutral" && !ending.querySelector(".ending-invite")) {
        ending.appendChild(make("p", "ending-invite", L("story_differently")));
      }
      var retry = data.ending === "retry" || data.ending === "neutral";
      var again = make("button", retry ? "button" : "button secondary", L(retry ? "try_another_way" : "story_again"));
      again.type = "button";
      again.setAttribute("data-action", "restart-story");
      again.setAttribute("data-scenario", String(index));
      var holder = make("p");
      holder.appendChild(again);
      parts.controls.replaceChildren(ending, holder);
      focusTarget = title;
    }
    return focusTarget;
  }

  function renderScenario(index) {
    var parts = scenarioParts(index);
    var path = S.paths[index];
    var node = path ? path.start : parts.scenario.start;
    parts.log.replaceChildren();
    if (path && path.start !== parts.scenario.start) {
      parts.log.appendChild(make("li", "message narration", "…"));
    }
    (path ? path.steps : []).forEach(function (choice) {
      appendMessages(parts, node);
      appendChoice(parts, node, choice);
      node = parts.scenario.nodes[node].choices[choice].next;
    });
    appendMessages(parts, node);
    showControls(index, node);
    return node;
  }

  var currentNode = [];
  var ended = [];
  var endTitle = text(byId("end").querySelector("h1"));

  function choose(index, choice) {
    var parts = scenarioParts(index);
    var node = currentNode[index];
    var data = parts.scenario.nodes[node];
    if (!data.choices || !data.choices[choice]) { return; }
    var path = S.paths[index] || { start: parts.scenario.start, steps: [] };
    if (path.steps.length >= parts.scenario.cap) {
      // Keep the last `cap` choices: the recorded path now starts one node later.
      path.start = parts.scenario.nodes[path.start].choices[path.steps[0]].next;
      path.steps.shift();
    }
    path.steps.push(choice);
    S.paths[index] = path;
    // Each best choice is a right answer on its own: one alternative pattern per choice, never one pattern
    // that would mean "all of them together".
    var best = [];
    data.choices.forEach(function (option, position) { if (option.quality === "best") { best.push([LETTERS.charAt(position)]); } });
    // Story choices go to the LMS only when the course opts in (course.yaml tracking: story_choices).
    if (C.storyChoices) { sent(T.interaction({
      id: data.iid, type: "choice", response: [LETTERS.charAt(choice)], correct: best,
      result: qualityOf(data.choices[choice]).result, latencyMs: Math.max(0, now() - (questionStart[parts.scenario.id] || shownAt)),
      description: clip(text(nodeElement(parts.scenario, node).querySelector(".prompt")), 250)
    })); }
    questionStart[parts.scenario.id] = now();
    var first = parts.log.children.length;
    var said = appendChoice(parts, node, choice);
    var next = data.choices[choice].next;
    var before = parts.log.children.length;
    appendMessages(parts, next);
    var news = Array.prototype.slice.call(parts.log.children, before).map(text).join(" ");
    currentNode[index] = next;
    var focusTarget = showControls(index, next);
    var ending = parts.scenario.nodes[next].ending ? " " + text(focusTarget) + "." : "";
    announce((said + " " + news + ending).trim());
    save();
    checkCompletion();
    // Keep the feedback and what comes next in view (the focus alone would scroll past the feedback).
    parts.log.children[first].scrollIntoView({ block: "start" });
    focusTarget.focus({ preventScroll: true });
  }

  function restartScenario(index) {
    S.paths[index] = null;
    currentNode[index] = renderScenario(index);
    save();
    var parts = scenarioParts(index);
    announce(L("story_restarts"));
    (parts.controls.querySelector(".prompt") || parts.screen.querySelector("h1")).focus();
  }

  // Shared devices: forget this learner's progress and answers on this device.
  function clearDevice() {
    T.clearDevice();
    var seed = S.seed;
    ended = [];
    S = freshState();
    S.seed = seed;
    questions.forEach(resetQuestion);
    C.quizzes.forEach(function (quiz) { byId(quiz.screen).querySelector(".quiz-summary").hidden = true; });
    C.scenarios.forEach(function (scenario, index) { currentNode[index] = renderScenario(index); });
    completedSent = false;
    passedBefore = false;
    all(doc, ".confirm-clear").forEach(function (panel) { panel.hidden = true; });
    go("start", true);
    announce(L("cleared"));
  }

  // --- help dialog -------------------------------------------------------------------------

  var dialog = byId("help");
  var menu = byId("menu");
  var opener = null;

  function openDialog(box, from) {
    opener = from;
    if (typeof box.showModal === "function") { box.showModal(); } else { box.setAttribute("open", ""); }
    box.querySelector("h2").focus();
  }

  function closeDialog(box) {
    if (typeof box.close === "function") { box.close(); } else { box.removeAttribute("open"); restoreFocus(); }
  }

  // The contents menu: every module with its status, the final assessment and the results.
  function openMenu(from) {
    var left = todo();
    var list = menu.querySelector(".menu-list");
    list.replaceChildren();
    all(byId("start"), ".contents a").forEach(function (link, k) {
      var module = C.modules[k];
      var own = module ? module.pages.concat(["m" + (k + 1) + "-story", "m" + (k + 1) + "-check"]) : [];
      var score = quizScore(finalQuiz());
      var done = module ? !own.some(function (id) { return left.indexOf(id) >= 0; }) : score.answered === score.questions;
      var item = list.appendChild(make("li"));
      item.appendChild(link.cloneNode(true));
      item.appendChild(make("span", "status" + (done ? " is-done" : ""), L(done ? "done" : "to_do")));
    });
    var results = list.appendChild(make("li")).appendChild(make("a", "", L("your_results")));
    results.href = "#results";
    openDialog(menu, from);
  }

  function restoreFocus() {
    if (opener && doc.contains(opener)) { opener.focus(); }
    opener = null;
  }

  // --- events ----------------------------------------------------------------------------------

  doc.addEventListener("click", function (event) {
    var target = event.target.closest("a, button");
    if (!target) { return; }
    if (target.classList.contains("help-open")) { event.preventDefault(); openDialog(dialog, target); return; }
    if (target.classList.contains("menu-open")) { event.preventDefault(); openMenu(target); return; }
    if (target.classList.contains("help-close")) { closeDialog(dialog); return; }
    if (target.classList.contains("menu-close")) { closeDialog(menu); return; }
    if (target.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    if (target.hasAttribute("data-move")) { moveItem(target); return; }
    var paging = target.getAttribute("data-page");
    if (paging) {
      if (paging === "finish") { submitAll(); } else { showQuestion(pagedAt + (paging === "next" ? 1 : -1), true); }
      return;
    }
    if (target.hasAttribute("data-choice")) {
      // A double click (or a second tap while the story moves on) must not answer the next question.
      if (event.detail > 1) { return; }
      choose(Number(target.getAttribute("data-scenario")), Number(target.getAttribute("data-choice")));
      return;
    }
    var action = target.getAttribute("data-action");
    var reset = target.closest(".device-reset");
    if (reset && action) {
      var confirmPanel = reset.querySelector(".confirm-clear");
      confirmPanel.hidden = action !== "ask-clear";
      if (action === "ask-clear") { confirmPanel.querySelector("button").focus(); }
      if (action === "clear-device") { clearDevice(); }
      return;
    }
    if (action === "restart-story") { restartScenario(Number(target.getAttribute("data-scenario"))); return; }
    if (action === "retry-final") {
      finalQuiz().questions.forEach(resetQuestion);
      showQuestion(0, false);
      byId("final").querySelector(".quiz-summary").hidden = true;
      byId("results").querySelector(".results-body").replaceChildren(make("p", "", L("results_waiting")));
      go("final", true);
      return;
    }
    var href = target.getAttribute("href");
    if (href && href.charAt(0) === "#" && C.screens.indexOf(href.slice(1)) >= 0) {
      event.preventDefault();
      if (dialog.open) { closeDialog(dialog); }
      if (menu && menu.open) { closeDialog(menu); }
      go(href.slice(1), true);
    }
  });

  doc.addEventListener("submit", function (event) {
    var form = event.target.closest(".question-form");
    if (!form) { return; }
    event.preventDefault();
    var element = form.closest(".question");
    questions.forEach(function (question) { if (question.el === element.id) { submitQuestion(question); } });
  });

  [dialog, menu].forEach(function (box) { if (box) { box.addEventListener("close", restoreFocus); } });

  window.addEventListener("popstate", function () {
    var id = location.hash.slice(1);
    if (id !== currentId && C.screens.indexOf(id) >= 0) { go(id, true, true); }
  });

  // Ordering by touch or mouse: drag an item by its text and it follows the finger; it takes the place of
  // the items it passes. The Move buttons stay for keyboards and switch access.
  var dragged = null;
  var grabbedAt = 0;
  doc.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest(".order-text");
    var item = handle && handle.closest(".order-item");
    if (!item || item.querySelector(".order-buttons").hidden || (event.pointerType === "mouse" && event.button)) { return; }
    dragged = item;
    grabbedAt = event.clientY - item.getBoundingClientRect().top;
    item.classList.add("dragging");
    try { handle.setPointerCapture(event.pointerId); } catch (error) { /* synthetic event */ }
  });
  doc.addEventListener("pointermove", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    var list = dragged.parentNode;
    var before = null;
    all(list, ".order-item").forEach(function (item) {
      var box = item.getBoundingClientRect();
      if (item !== dragged && !before && event.clientY < box.top + box.height / 2) { before = item; }
    });
    if (before !== dragged.nextElementSibling) {
      list.insertBefore(dragged, before);
      list.moved = true;
      updateMoveButtons(list);
    }
    dragged.style.transform = "";
    dragged.style.transform = "translateY(" + (event.clientY - grabbedAt - dragged.getBoundingClientRect().top) + "px)";
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    doc.addEventListener(name, function () {
      if (!dragged) { return; }
      var items = all(dragged.parentNode, ".order-item");
      announce(L("moved_to", { item: text(dragged.querySelector(".order-text")), n: items.indexOf(dragged) + 1, count: items.length }));
      dragged.classList.remove("dragging");
      dragged.style.transform = "";
      dragged = null;
    });
  });

  window.addEventListener("pagehide", function () {
    save();
    T.terminate();
  });

  // --- start ---------------------------------------------------------------------------------

  // The help link works without JavaScript; with it, it becomes a button opening the dialog.
  all(doc, "a.help-open").forEach(function (link) {
    var button = make("button", link.className);
    button.type = "button";
    button.setAttribute("aria-haspopup", "dialog");
    while (link.firstChild) { button.appendChild(link.firstChild); }
    link.replaceWith(button);
  });

  // The sticky top bar's height, for scroll-padding-top (player.css): it wraps on a phone and grows with the text.
  var bar = doc.querySelector(".top-bar");
  function barHeight() { doc.documentElement.style.setProperty("--bar", bar.offsetHeight + "px"); }
  if (bar && window.ResizeObserver) { new ResizeObserver(barHeight).observe(bar); }

  all(doc, "a.menu-open").forEach(function (link) {
    var button = make("button", link.className, text(link));
    button.type = "button";
    button.setAttribute("aria-haspopup", "dialog");
    link.replaceWith(button);
  });
  C.quizzes.forEach(function (quiz) {
    var hint = byId(quiz.screen).querySelector(".hint");
    hint.parentNode.insertBefore(make("p", "quiz-progress"), hint.nextSibling);
  });
  all(doc, ".story").forEach(function (story) { story.hidden = true; });
  all(doc, '[data-action="ask-clear"]').forEach(function (button) { button.hidden = false; });
  all(doc, ".chat").forEach(function (chat) { chat.hidden = false; });

  questions.forEach(function (question) {
    var element = questionElement(question);
    question.optionCount = TYPES[question.type].count(element);
  });
  var started = T.start({ tracking: C.tracking, courseId: C.courseId, audience: C.audience, version: C.version,
    passMark: C.passMark, objectiveIds: C.objectiveIds }) || {};
  // The LMS's mastery score, when it sets one, decides pass or fail (tracking.js reports with it too).
  if (typeof started.passMark === "number" && isFinite(started.passMark)) { C.passMark = started.passMark; }
  var restored = null;
  try {
    restored = decodeState(started.state);
    // This device's copy, when it got further: saves the LMS refused, or accepted and then lost. An accepted
    // copy is trusted only for the attempt the LMS holds (same seed), so an LMS reset is never undone.
    var backup = started.backup ? decodeState(started.backup.state) : null;
    var sameAttempt = backup && (!started.backup.confirmed || (restored && restored.seed === backup.seed));
    if (backup && sameAttempt && (!restored || reach(backup) > reach(restored))) {
      T.replayInteractions(started.backup.recent, restored ? restored.next : 0);
      restored = backup;
      started.location = started.backup.location;
    }
  } catch (error) { restored = null; }
  if (restored) { S = restored; } else { S.seed = newSeed(); }
  T.resumeInteractions(S.next);
  var passedBefore = started.passed === true;
  var saveNotice = byId("save-notice");
  function notice(message) {
    if (!saveNotice) { return; }
    saveNotice.querySelector("span").textContent = message;
    saveNotice.hidden = !message;
  }
  if (C.tracking !== "none" && !started.connected) { byId("tracking-notice").hidden = false; }
  if (started.mode === "browse" || started.mode === "review") {
    notice(L("review_mode"));
  } else if (S.reset) {
    notice(L("updated_reset"));
  }
  T.onStatus(function (status) {
    notice(status === "unsaved" ? L("unsaved") : "");
  });

  C.quizzes.forEach(shuffleQuestions);
  pageButton(L("previous_question"), "back", "secondary");
  pager.appendChild(make("p", "pager-label")).setAttribute("aria-live", "polite");
  pageButton(L("next_question"), "next", "");
  pageButton(L("submit_my_answers"), "finish", "");
  pager.appendChild(make("p", "submit-message"));
  byId("final").querySelector(".questions").after(pager);
  showQuestion(0, false);
  if (narrow.addEventListener) { narrow.addEventListener("change", function () { showQuestion(pagedAt, false); }); }
  questions.forEach(function (question) {
    var element = questionElement(question);
    shuffleOptions(question);
    updateMoveButtons(element.querySelector(".order-list"));
    if (S.answers[question.index] && !validAnswer(question, S.answers[question.index])) { S.answers[question.index] = ""; }
    if (S.answers[question.index]) { showResult(question, S.answers[question.index]); }
  });
  C.quizzes.forEach(function (quiz) { quizFinished(quiz, false); });
  C.scenarios.forEach(function (scenario, index) { currentNode[index] = renderScenario(index); });
  completedSent = !todo().length;
  T.progress((units() - todo().length) / Math.max(1, units()));
  var deep = location.hash.slice(1);
  go(C.screens.indexOf(deep) >= 0 ? deep : C.screens.indexOf(started.location) >= 0 ? started.location : C.screens[0], false);
}());
