//! Per-invocation cost of one hook call (fresh store + instantiate + call + drop), through
//! Hookline's runtime and, in the same run, through bare wasmtime with the same component and
//! the same engine configuration. The ratio is the overhead Hookline adds around wasmtime;
//! the target is at most 1.3x.
//!
//! Run: `cargo bench -p hookline --bench invoke`. Needs the example plugins built
//! (`cd plugins && cargo build --release`), or `HOOKLINE_PLUGIN_DIR` pointing at them.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use ::hookline::context::RequestContext;
use ::hookline::runtime::{AllocationMode, HookOutcome};
use common::{Samples, per_call, plugin_binary};
use criterion::Criterion;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

/// The criterion group; its two functions are the two ways of running the same call.
const GROUP: &str = "invoke_hello";
const HOOKLINE: &str = "hookline";
const BARE: &str = "bare_wasmtime";
/// The issue's target: Hookline's invocation within this factor of bare wasmtime.
const TARGET_RATIO: f64 = 1.3;

/// The bare-wasmtime side: the same WIT world, host functions returning fixed values, and an
/// engine built like Hookline's (see `host/src/runtime/engine.rs`).
mod bare {

    use wasmtime::Engine;
    use wasmtime::component::{HasSelf, InstancePre, Linker, Resource, ResourceTable, bindgen};
    use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

    bindgen!({
        path: "../wit",
        world: "plugin",
        imports: { default: trappable },
        exports: { default: async },
        with: {
            "hookline:plugin/context.request-context": BareContext,
        },
    });

    pub use self::exports::hookline::plugin::handler;
    use self::hookline::plugin::cache;
    use self::hookline::plugin::context::{self, Phase};
    use self::hookline::plugin::helpers::{self, Encoding, HelperError, SshKeyPair};
    use self::hookline::plugin::log;
    use self::hookline::plugin::rate_limit::{self, Options, RateLimitResult};
    use self::hookline::plugin::repos;
    use self::hookline::plugin::types::{self, ErrorInfo, HookError, User};

    /// The host side of `request-context`: carries nothing, every read is a constant.
    pub struct BareContext;

    pub struct BareState {
        wasi: WasiCtx,
        pub table: ResourceTable,
    }

    impl Default for BareState {
        fn default() -> Self {
            Self {
                wasi: WasiCtx::builder().build(),
                table: ResourceTable::new(),
            }
        }
    }

    impl WasiView for BareState {
        fn ctx(&mut self) -> WasiCtxView<'_> {
            WasiCtxView {
                ctx: &mut self.wasi,
                table: &mut self.table,
            }
        }
    }

    type Ctx = Resource<BareContext>;
    type Written = wasmtime::Result<Result<(), HookError>>;

    /// The benchmarked handler never calls a capability; reaching one is a bug in the benchmark.
    fn unused<T>() -> wasmtime::Result<T> {
        Err(wasmtime::format_err!(
            "capabilities are not part of the bare baseline"
        ))
    }

    impl helpers::Host for BareState {
        fn jwt(&mut self, _: String, _: String) -> wasmtime::Result<Result<String, HelperError>> {
            unused()
        }
        fn bcrypt_hash(&mut self, _: String) -> wasmtime::Result<Result<String, HelperError>> {
            unused()
        }
        fn bcrypt_compare(&mut self, _: String, _: String) -> wasmtime::Result<bool> {
            unused()
        }
        fn auto_slug(&mut self, _: String) -> wasmtime::Result<String> {
            unused()
        }
        fn random_uuid(&mut self) -> wasmtime::Result<String> {
            unused()
        }
        fn random_bytes(
            &mut self,
            _: u32,
            _: Encoding,
        ) -> wasmtime::Result<Result<String, HelperError>> {
            unused()
        }
        fn sha256(&mut self, _: String, _: Encoding) -> wasmtime::Result<String> {
            unused()
        }
        fn hmac_sha256(&mut self, _: String, _: String, _: Encoding) -> wasmtime::Result<String> {
            unused()
        }
        fn generate_ssh_key_pair(
            &mut self,
            _: String,
        ) -> wasmtime::Result<Result<SshKeyPair, HelperError>> {
            unused()
        }
        fn sleep(&mut self, _: u64) -> wasmtime::Result<()> {
            unused()
        }
    }

    type CacheAnswer<T> = wasmtime::Result<Result<T, cache::CacheError>>;
    type LimitAnswer<T> = wasmtime::Result<Result<T, rate_limit::RateLimitError>>;

    impl cache::Host for BareState {
        fn get(&mut self, _: String) -> CacheAnswer<Option<String>> {
            unused()
        }
        fn set(&mut self, _: String, _: String, _: u64) -> CacheAnswer<()> {
            unused()
        }
        fn set_no_expire(&mut self, _: String, _: String) -> CacheAnswer<()> {
            unused()
        }
        fn acquire(&mut self, _: String, _: String, _: u64) -> CacheAnswer<bool> {
            unused()
        }
        fn release(&mut self, _: String, _: String) -> CacheAnswer<bool> {
            unused()
        }
        fn exists(&mut self, _: String, _: String) -> CacheAnswer<bool> {
            unused()
        }
        fn delete_key(&mut self, _: String) -> CacheAnswer<bool> {
            unused()
        }
    }

    impl rate_limit::Host for BareState {
        fn by_ip(&mut self, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
        fn by_user(&mut self, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
        fn by_route(&mut self, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
        fn by_ip_global(&mut self, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
        fn by_user_global(&mut self, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
        fn check(&mut self, _: String, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
        fn reset(&mut self, _: String) -> LimitAnswer<()> {
            unused()
        }
        fn status(&mut self, _: String, _: Options) -> LimitAnswer<RateLimitResult> {
            unused()
        }
    }

    type RepoAnswer<T> = wasmtime::Result<Result<T, repos::RepoError>>;

    impl repos::Host for BareState {
        fn find(&mut self, _: String, _: String) -> RepoAnswer<String> {
            unused()
        }
        fn find_one(&mut self, _: String, _: String) -> RepoAnswer<Option<String>> {
            unused()
        }
        fn create(&mut self, _: String, _: String) -> RepoAnswer<String> {
            unused()
        }
        fn update(&mut self, _: String, _: i64, _: String) -> RepoAnswer<String> {
            unused()
        }
        fn delete(&mut self, _: String, _: i64) -> RepoAnswer<String> {
            unused()
        }
        fn count(&mut self, _: String, _: String) -> RepoAnswer<u64> {
            unused()
        }
    }

    impl types::Host for BareState {}
    impl context::Host for BareState {}

    impl log::Host for BareState {
        fn write(&mut self, _: log::Level, _: String) -> wasmtime::Result<()> {
            Ok(())
        }
    }

    impl context::HostRequestContext for BareState {
        fn phase(&mut self, _: Ctx) -> wasmtime::Result<Phase> {
            Ok(Phase::Handler)
        }
        fn method(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("GET".into())
        }
        fn path(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("/hello/ada".into())
        }
        fn route(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("/hello/:name".into())
        }
        fn params(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok(r#"{"name":"ada"}"#.into())
        }
        fn query(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("{}".into())
        }
        fn header(&mut self, _: Ctx, _: String) -> wasmtime::Result<Option<String>> {
            Ok(None)
        }
        fn headers(&mut self, _: Ctx) -> wasmtime::Result<Vec<(String, String)>> {
            Ok(Vec::new())
        }
        fn client_ip(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("127.0.0.1".into())
        }
        fn body(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("null".into())
        }
        fn raw_body(&mut self, _: Ctx) -> wasmtime::Result<Vec<u8>> {
            Ok(Vec::new())
        }
        fn user(&mut self, _: Ctx) -> wasmtime::Result<Option<User>> {
            Ok(None)
        }
        fn config(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("{}".into())
        }
        fn share(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("{}".into())
        }
        fn data(&mut self, _: Ctx) -> wasmtime::Result<String> {
            Ok("null".into())
        }
        fn status(&mut self, _: Ctx) -> wasmtime::Result<u16> {
            Ok(200)
        }
        fn error(&mut self, _: Ctx) -> wasmtime::Result<Option<ErrorInfo>> {
            Ok(None)
        }
        fn set_body(&mut self, _: Ctx, _: String) -> Written {
            Ok(Ok(()))
        }
        fn set_query(&mut self, _: Ctx, _: String) -> Written {
            Ok(Ok(()))
        }
        fn set_params(&mut self, _: Ctx, _: String) -> Written {
            Ok(Ok(()))
        }
        fn set_share(&mut self, _: Ctx, _: String) -> Written {
            Ok(Ok(()))
        }
        fn set_data(&mut self, _: Ctx, _: String) -> Written {
            Ok(Ok(()))
        }
        fn set_status(&mut self, _: Ctx, _: u16) -> Written {
            Ok(Ok(()))
        }
        fn set_header(&mut self, _: Ctx, _: String, _: String) -> Written {
            Ok(Ok(()))
        }
        fn drop(&mut self, handle: Ctx) -> wasmtime::Result<()> {
            self.table.delete(handle)?;
            Ok(())
        }
    }

    /// An engine configured exactly like Hookline's (the same `engine_config`) with the same
    /// epoch ticker, so the baseline differs from Hookline only in what happens per call.
    pub fn engine(
        limits: &::hookline::runtime::RuntimeLimits,
        mode: ::hookline::runtime::AllocationMode,
    ) -> Engine {
        let engine = Engine::new(&::hookline::runtime::engine_config(
            &::hookline::runtime::EngineSpec::new(
                limits,
                ::hookline::runtime::GuestClass::Small,
                mode,
            ),
        ))
        .expect("building the bare engine");
        ::hookline::runtime::spawn_epoch_ticker(&engine);
        engine
    }

    /// Links WASI p2 and the Hookline interfaces, and pre-instantiates `binary`.
    pub fn prepare(
        engine: &Engine,
        binary: &[u8],
    ) -> (InstancePre<BareState>, handler::GuestIndices) {
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("linking WASI");
        Plugin::add_to_linker::<BareState, HasSelf<BareState>>(&mut linker, |state| state)
            .expect("linking the hookline interfaces");
        let component =
            wasmtime::component::Component::new(engine, binary).expect("compiling the component");
        let pre = linker
            .instantiate_pre(&component)
            .expect("pre-instantiating");
        let indices = handler::GuestIndices::new(&pre).expect("the component exports a handler");
        (pre, indices)
    }
}

/// One hook call through bare wasmtime: new store, instantiate, lend the context, call, drop.
async fn bare_call(
    engine: &wasmtime::Engine,
    pre: &wasmtime::component::InstancePre<bare::BareState>,
    indices: &bare::handler::GuestIndices,
) -> String {
    let mut store = wasmtime::Store::new(engine, bare::BareState::default());
    store.set_epoch_deadline(1);
    store.epoch_deadline_async_yield_and_update(1);
    let instance = pre
        .instantiate_async(&mut store)
        .await
        .expect("instantiating");
    let ctx = store
        .data_mut()
        .table
        .push(bare::BareContext)
        .expect("pushing the context");
    let guest = indices
        .load(&mut store, &instance)
        .expect("loading the export");
    guest
        .call_handle(&mut store, ctx)
        .await
        .expect("calling handle")
        .expect("the handler succeeds")
}

/// What the pipeline would hand a handler for `GET /hello/ada` on `/hello/:name`.
fn bench_invoke(
    c: &mut Criterion,
    rt: &Runtime,
    hookline_samples: &Samples,
    bare_samples: &Samples,
) {
    let binary = plugin_binary("hello");
    let artifacts = tempfile::tempdir().expect("creating a temporary artifact directory");
    let backends = hookline::cache::Backends::from_settings(&hookline::Settings::default())
        .expect("in-process cache backends");
    let db = rt
        .block_on(sea_orm::Database::connect("sqlite::memory:"))
        .expect("an in-memory database");
    let capabilities = common::capabilities(&backends, db, common::no_tables());
    let limits = common::default_limits(artifacts.path());
    let (runtime, call) = common::runtime_with(limits.clone(), capabilities, "hello", &[]);

    assert!(
        runtime.mode() != AllocationMode::OnDemand,
        "Hookline fell back to on-demand allocation; the comparison would be meaningless"
    );
    let engine = bare::engine(&limits, runtime.mode());
    let (pre, indices) = bare::prepare(&engine, &binary);
    println!("allocation mode: {:?} (both engines)", runtime.mode());

    // Both sides must produce the same greeting before their cost is worth comparing.
    let expected = json!({"message": "hello, ada"});
    let (_, outcome) = rt.block_on(runtime.invoke(
        &call,
        common::request_context("/hello/ada", "/hello/:name", Value::Null),
        Instant::now() + Duration::from_secs(10),
    ));
    assert_eq!(
        outcome.expect("hookline call"),
        HookOutcome::Data(expected.clone())
    );
    let text = rt.block_on(bare_call(&engine, &pre, &indices));
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("bare output is JSON"),
        expected
    );

    let mut group = c.benchmark_group(GROUP);
    group.bench_function(HOOKLINE, |b| {
        b.iter_custom(|iters| {
            // Contexts are built before the clock starts: the pipeline builds one per request
            // whether or not a hook runs, so it is not part of the invocation.
            let contexts: Vec<RequestContext> = (0..iters)
                .map(|_| common::request_context("/hello/ada", "/hello/:name", Value::Null))
                .collect();
            let elapsed = rt.block_on(async {
                let deadline = Instant::now() + Duration::from_secs(10);
                let start = Instant::now();
                for request in contexts {
                    let (request, outcome) = runtime.invoke(&call, request, deadline).await;
                    assert!(outcome.is_ok());
                    black_box(request);
                }
                start.elapsed()
            });
            hookline_samples.borrow_mut().push((iters, elapsed));
            elapsed
        });
    });
    group.bench_function(BARE, |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(bare_call(&engine, &pre, &indices).await);
                }
                start.elapsed()
            });
            bare_samples.borrow_mut().push((iters, elapsed));
            elapsed
        });
    });
    group.finish();
}

fn main() {
    /// Criterion's default number of samples per benchmark.
    const SAMPLE_SIZE: usize = 100;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    let hookline_samples = Samples::default();
    let bare_samples = Samples::default();
    let mut criterion = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .configure_from_args();
    bench_invoke(&mut criterion, &rt, &hookline_samples, &bare_samples);
    criterion.final_summary();

    // In `--test` mode or with a filter, criterion runs each routine once or not at all.
    if hookline_samples.borrow().len() < SAMPLE_SIZE || bare_samples.borrow().len() < SAMPLE_SIZE {
        return;
    }
    let (Some(hookline), Some(bare)) = (
        per_call(&hookline_samples, SAMPLE_SIZE),
        per_call(&bare_samples, SAMPLE_SIZE),
    ) else {
        return;
    };
    let ratio = hookline.as_secs_f64() / bare.as_secs_f64();
    println!();
    println!("per call (mean of the measured samples):");
    println!("  hookline       {:>8.2} µs", hookline.as_secs_f64() * 1e6);
    println!("  bare wasmtime  {:>8.2} µs", bare.as_secs_f64() * 1e6);
    println!(
        "  ratio          {ratio:>8.2}x  (target <= {TARGET_RATIO}x: {})",
        if ratio <= TARGET_RATIO {
            "met"
        } else {
            "NOT met"
        }
    );
}
