// The collection the CRUD target lists: ten rows, listed by anyone (the Hookline target's
// table has the same two columns and rows, its GET published).
migrate(
  (app) => {
    const items = new Collection({
      type: "base",
      name: "items",
      listRule: "",
      viewRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    });
    app.save(items);
    for (let n = 1; n <= 10; n++) {
      const record = new Record(items);
      record.set("title", "item " + n);
      record.set("n", n);
      app.save(record);
    }
  },
  (app) => {
    app.delete(app.findCollectionByNameOrId("items"));
  },
);
