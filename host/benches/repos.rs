//! What a repository read costs a hook: `repos.find` of 10 rows from the `repos-probe` plugin
//! against the same query straight through the repository (sea-orm, no hook) and against the
//! bare sea-orm query without turning rows into JSON, in the same run, on a SQLite file.
//!
//! - `hook_nothing`: the same plugin and request without a repository call;
//! - `hook_find`: the plugin doing one `find` (filter, sort, limit 10);
//! - `repository_find`: `Repository::find` with the same query;
//! - `seaorm_query`: the same SELECT through sea-orm's `query_all`, rows not decoded.
//!
//! Target: `hook_find` ≤ 1.3 × `repository_find` + `hook_nothing`.
//!
//! Run: `cargo bench -p hookline --bench repos`. Needs the example plugins built.

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use ::hookline::schema::reach::{EveryTable, QueryLimits};
use ::hookline::schema::repo::{ListQuery, Repository};
use ::hookline::schema::{ColumnInput, TableDef, TableRegistry, ddl};
use common::{Samples, bench_async, per_call, probe};
use criterion::Criterion;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const SAMPLE_SIZE: usize = 100;
/// The statement `Repository::find` sends for the benchmark's query, written out.
const BARE_SQL: &str = r#"SELECT "items"."id", "items"."name", "items"."price", "items"."stock", "items"."createdAt", "items"."updatedAt" FROM "items" WHERE "items"."price" < 20 ORDER BY "items"."price" DESC, "items"."name" ASC, "items"."id" ASC LIMIT 10"#;
const TARGET_RATIO: f64 = 1.3;
/// About one invocation's length (`hook_nothing`), spent spinning.
const PAUSE: Duration = Duration::from_micros(12);

fn items() -> TableDef {
    let column = |v: Value| {
        serde_json::from_value::<ColumnInput>(v)
            .expect("column")
            .parse()
            .expect("valid column")
    };
    TableDef {
        name: "items".into(),
        columns: vec![
            column(json!({"name": "name", "type": "varchar(100)", "nullable": false})),
            column(json!({"name": "price", "type": "float", "nullable": false})),
            column(json!({"name": "stock", "type": "int", "nullable": false})),
        ],
        relations: Vec::new(),
        system: Default::default(),
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let db = rt
        .block_on(::hookline::store::connect(&url))
        .expect("database");
    let table = Arc::new(items());
    rt.block_on(ddl::create_table(&db, &table))
        .expect("creating items");
    let tables: Arc<TableRegistry> = Arc::new(TableRegistry::from_pointee(HashMap::from([(
        "items".to_owned(),
        table.clone(),
    )])));
    let registry = tables.load_full();
    let crypto = common::crypto();
    let repo = Repository {
        db: &db,
        table: table.clone(),
        tables: &registry,
        limits: QueryLimits {
            max_limit: 1000,
            max_rows: 10_000,
        },
        crypto: &crypto,
        reach: &EveryTable,
    };
    rt.block_on(async {
        for i in 0..200 {
            repo.create(
                &json!({"name": format!("item {i:03}"), "price": f64::from(i % 50), "stock": i}),
            )
            .await
            .expect("seeding");
        }
    });
    let _runtime = rt.enter();
    let backends = ::hookline::cache::Backends::from_settings(&::hookline::Settings::default())
        .expect("in-process backends");
    let capabilities = common::capabilities(&backends, db.clone(), tables.clone());
    let (runtime, call) = common::runtime_with(
        common::default_limits(dir.path()),
        capabilities,
        "repos_probe",
        &["items"],
    );
    let query = json!({"filter": {"price": {"_lt": 20}}, "sort": ["-price", "name"], "limit": 10});
    let find = json!({"op": "find", "table": "items", "query": query});
    let nothing = json!({"op": "nothing"});
    let list_query = ListQuery::from_json(&query).expect("query");

    // Both paths must find the same ten rows before their cost is worth comparing.
    let through_hook = rt.block_on(probe(&runtime, &call, "/repo", &find));
    let direct = rt.block_on(repo.find(&list_query)).expect("direct find");
    assert_eq!(through_hook["data"], direct["data"]);
    assert_eq!(direct["data"].as_array().map(Vec::len), Some(10));

    // The bare statement: what Repository::find sends, rows left undecoded.
    let bare_query = || async {
        db.query_all(sea_orm::Statement::from_string(
            db.get_database_backend(),
            BARE_SQL,
        ))
        .await
        .expect("bare query")
    };
    assert_eq!(rt.block_on(bare_query()).len(), 10);

    let samples: [Samples; 6] = Default::default();
    let names = [
        "hook_nothing",
        "hook_find",
        "repository_find",
        "seaorm_query",
        "invocation_then_find",
        "pause_then_find",
    ];
    let mut criterion = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .configure_from_args();
    let mut group = criterion.benchmark_group("repos_find");
    bench_async(&mut group, &rt, names[0], &samples[0], || async {
        black_box(probe(&runtime, &call, "/repo", &nothing).await);
    });
    bench_async(&mut group, &rt, names[1], &samples[1], || async {
        black_box(probe(&runtime, &call, "/repo", &find).await);
    });
    bench_async(&mut group, &rt, names[2], &samples[2], || async {
        black_box(repo.find(&list_query).await.expect("find"));
    });
    bench_async(&mut group, &rt, names[3], &samples[3], || async {
        black_box(bare_query().await);
    });
    // Diagnostics: the same find right after an invocation (outside it), and right after a
    // busy pause as long as an invocation (no invocation at all).
    bench_async(&mut group, &rt, names[4], &samples[4], || async {
        black_box(probe(&runtime, &call, "/repo", &nothing).await);
        black_box(repo.find(&list_query).await.expect("find"));
    });
    bench_async(&mut group, &rt, names[5], &samples[5], || async {
        let start = std::time::Instant::now();
        while start.elapsed() < PAUSE {
            std::hint::spin_loop();
        }
        black_box(repo.find(&list_query).await.expect("find"));
    });
    group.finish();
    criterion.final_summary();

    let means: Option<Vec<Duration>> = samples
        .iter()
        .map(|s| {
            (s.borrow().len() >= SAMPLE_SIZE)
                .then(|| per_call(s, SAMPLE_SIZE))
                .flatten()
        })
        .collect();
    let Some(means) = means else {
        return;
    };
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!();
    println!("per call (mean of the measured samples):");
    for (name, mean) in names.iter().zip(&means) {
        println!("  {name:<18} {:>8.2} µs", us(*mean));
    }
    let (nothing, hook, direct) = (us(means[0]), us(means[1]), us(means[2]));
    let target = TARGET_RATIO * direct + nothing;
    println!(
        "  find from a hook: {:.2} µs over the invocation = {:.2}x the repository alone",
        hook - nothing,
        (hook - nothing) / direct
    );
    println!(
        "  target: hook_find <= {TARGET_RATIO} x repository_find + invocation = {target:.2} µs: {}",
        if hook <= target { "met" } else { "NOT met" }
    );
}
