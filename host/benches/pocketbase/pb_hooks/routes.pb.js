// The load benchmark's routes on PocketBase (#16): the same shapes as the Hookline targets,
// written as PocketBase JS hooks (goja). Every answer is {"message": "hello, <name>"}.

// handler only
routerAdd("GET", "/handler/{name}", (e) => {
  return e.json(200, { message: "hello, " + e.request.pathValue("name") });
});

// a preHook + the handler + a postHook: a middleware before the handler (it tags the request,
// like Hookline's `tag` preHook) and one after it (it reads the tags once the handler answered;
// PocketBase has written the body by then, so it cannot rewrite it as a Hookline postHook can).
routerAdd(
  "GET",
  "/hooks/{name}",
  (e) => {
    return e.json(200, { message: "hello, " + e.request.pathValue("name"), trace: e.get("trace") });
  },
  (e) => {
    e.set("trace", ["a"]);
    return e.next();
  },
  (e) => {
    const result = e.next();
    const trace = e.get("trace") || [];
    trace.push("b");
    e.set("trace", trace);
    return result;
  },
);
