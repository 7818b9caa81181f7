//! Engine construction (pooling allocator with a fallback to on-demand allocation, epoch
//! interruption) and the epoch ticker threads.
//!
//! Two engines, one per guest class, chosen per plugin at load time by its initial linear
//! memory ([`GuestClass`]): small guests (Rust) and large guests (the JavaScript and Python
//! interpreters) keep different amounts of memory resident per slot, and each class keeps its
//! own pool.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use wasmtime::component::Linker;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::reuse::KeptLimits;
use super::shared::SharedComponents;
use super::state::HostState;
use crate::capabilities::Capabilities;

/// How often the ticker advances the engine's epoch. Hooks yield to the async executor and
/// check their deadline once per tick, so this is also the precision of hook timeouts.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Bytes of a slot's linear memory and tables kept resident between instances. With
/// `pagemap_scan` only the pages a guest dirtied are reset, so the window costs nothing beyond
/// what guests touch; it must cover a typical guest's working set (a Rust hook touches 2-4 MiB:
/// 1 MiB of stack plus data and heap) or every instantiation page-faults the rest back in.
/// Measured with the load benchmark: 1 MiB gave 0.154 of plain axum's throughput, 4 MiB 0.172-0.179,
/// 8 MiB no better. Without `pagemap_scan` keeping pages resident means memset-ing the whole
/// window on every drop, so it is only set together with it.
const KEEP_RESIDENT_BYTES: usize = 4 * 1024 * 1024;

/// Core instances, memories and tables one component may use. A Rust component uses 3 core
/// instances, 1 memory and 2 tables, a componentize-js one 4, 1 and 2 (measured); Python and
/// other toolchains that link libc and interpreters as separate core modules may use more, so
/// the limits leave generous room. Pool totals
/// are these times `max_instances`: only address space is reserved up front, so the generous
/// per-component figures cost no resident memory.
const CORE_INSTANCES_PER_COMPONENT: u32 = 32;
const MEMORIES_PER_COMPONENT: u32 = 4;
const TABLES_PER_COMPONENT: u32 = 16;

/// Elements per table: interpreted guests (componentize-js/py) carry large function tables.
const TABLE_ELEMENTS: usize = 100_000;

/// A guest whose largest initial linear memory exceeds this is a large guest. Rust hooks start
/// with 1-2 MiB (1 MiB of stack plus data); componentize-js guests with ~9 MiB and
/// componentize-py ones with more.
pub const LARGE_GUEST_INITIAL_MEMORY: u64 = KEEP_RESIDENT_BYTES as u64;

/// Which engine a plugin runs on.
///
/// Both map their memory image copy-on-write and reset a used slot with `pagemap_scan`: only
/// the pages the guest wrote are copied back from the image, so the next instance in the slot
/// finds them resident and faults on nothing. An interpreter writes ~700 KiB in scattered pages
/// per call and reads a few MiB of its image, so its slots keep up to 32 MiB resident where a
/// Rust hook's keep 4; fewer of its used slots are kept warm, since each holds more.
/// (wasmtime 48.0.8, which Hookline used before 50.0.2, stopped the scan after 32 dirty
/// regions and released the rest, so each of those pages faulted back in on the next call and
/// every such write fault flushed the TLB of the other cores: 4.2 ms of CPU per JavaScript call
/// with two at once. Large guests then copied their image into the slot instead;
/// `host/benches/README.md`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GuestClass {
    Small,
    Large,
}

impl GuestClass {
    /// The class of a component from its largest initial linear memory, in bytes.
    pub fn of_initial_memory(bytes: u64) -> Self {
        if bytes > LARGE_GUEST_INITIAL_MEMORY {
            Self::Large
        } else {
            Self::Small
        }
    }
}

/// The runtime's limits, taken from the settings.
#[derive(Debug, Clone)]
pub struct RuntimeLimits {
    pub memory_bytes: usize,
    pub max_instances: u32,
    /// Unused large-guest slots preferred for the next instance over slots never used.
    pub large_warm_slots: u32,
    /// Fresh large-guest instances alive at once.
    pub max_large_instances: u32,
    pub hook_timeout: Duration,
    pub max_guest_output_bytes: usize,
    pub artifact_dir: PathBuf,
    /// The server's own binary, to compile components in a child process of it
    /// ([`super::compile`]); `None` compiles in this process (a server embedded in tests).
    pub compiler: Option<PathBuf>,
}

/// Everything an engine's configuration is built from: the guest class, the allocator, and
/// the limits the pool is sized by. The compiler child process builds its engine from the
/// server's ([`super::compile`]), so both produce artifacts with the same fingerprint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineSpec {
    pub class: GuestClass,
    pub mode: AllocationMode,
    pub memory_bytes: usize,
    pub max_instances: u32,
    pub large_warm_slots: u32,
}

impl EngineSpec {
    pub fn new(limits: &RuntimeLimits, class: GuestClass, mode: AllocationMode) -> Self {
        Self {
            class,
            mode,
            memory_bytes: limits.memory_bytes,
            max_instances: limits.max_instances,
            large_warm_slots: limits.large_warm_slots,
        }
    }
}

/// Which instance allocator the engine ended up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AllocationMode {
    /// Pooling with `pagemap_scan` and kept-resident slots (fastest).
    PoolingTuned,
    /// Pooling without `pagemap_scan` (older kernels).
    Pooling,
    /// Plain mmap per instance: the address space was too small for the pool.
    OnDemand,
}

/// Counters of what the runtime did, for the admin API and tests.
#[derive(Debug, Default)]
pub struct RuntimeStats {
    pub compiled: AtomicU64,
    /// Of those, compiled by a child process.
    pub compiled_in_child: AtomicU64,
    pub artifacts_loaded: AtomicU64,
    /// Plugin loads that found their binary's component already loaded for another plugin.
    pub components_shared: AtomicU64,
    pub invocations: AtomicU64,
    /// Calls served by a kept instance (reuse mode).
    pub reused: AtomicU64,
    /// Calls served by the instance of the same plugin's earlier call in the same request.
    pub same_request: AtomicU64,
    /// Log lines and guest output lines dropped past their caps, and guest output bytes
    /// dropped past `max_guest_output_bytes`.
    pub log_lines_dropped: AtomicU64,
    pub output_bytes_dropped: AtomicU64,
}

impl RuntimeStats {
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "compiled": self.compiled.load(Ordering::Relaxed),
            "compiledInChild": self.compiled_in_child.load(Ordering::Relaxed),
            "artifactsLoaded": self.artifacts_loaded.load(Ordering::Relaxed),
            "componentsShared": self.components_shared.load(Ordering::Relaxed),
            "invocations": self.invocations.load(Ordering::Relaxed),
            "reused": self.reused.load(Ordering::Relaxed),
            "sameRequest": self.same_request.load(Ordering::Relaxed),
            "logLinesDropped": self.log_lines_dropped.load(Ordering::Relaxed),
            "outputBytesDropped": self.output_bytes_dropped.load(Ordering::Relaxed),
        })
    }
}

/// One engine, what it was built from, the linker every plugin of its class is instantiated
/// against, and the fingerprint its compiled artifacts are stored under.
pub(crate) struct ClassEngine {
    pub(crate) engine: Engine,
    pub(crate) spec: EngineSpec,
    pub(crate) linker: Linker<HostState>,
    pub(crate) fingerprint: String,
}

impl ClassEngine {
    fn new(limits: &RuntimeLimits, class: GuestClass) -> anyhow::Result<Self> {
        let (engine, spec) = build_engine(limits, class)?;
        tracing::info!(?class, mode = ?spec.mode, "hook engine ready");
        spawn_epoch_ticker(&engine);
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(crate::runtime::to_anyhow)?;
        crate::capabilities::add_to_linker(&mut linker)?;
        let fingerprint = super::artifacts::engine_fingerprint(&engine);
        Ok(Self {
            engine,
            spec,
            linker,
            fingerprint,
        })
    }
}

/// The engines, the slot semaphore shared by both, the budgets of slots that may sit idle
/// (kept instances, instances held within a request), and the runtime's counters.
pub struct HookRuntime {
    pub(crate) small: ClassEngine,
    pub(crate) large: ClassEngine,
    pub(crate) limits: RuntimeLimits,
    pub(crate) slots: Arc<Semaphore>,
    /// Fresh large-guest instances at once (`max_large_instances`). Every pool slot a large
    /// instance used keeps the pages its interpreter touched resident (its image, mapped from
    /// the artifact, and what it wrote, up to 32 MiB), so the resident memory of the large
    /// engine grows with the peak of such instances at once: without a cap, with as many as
    /// requests in flight. Calls yield at every epoch tick, so a few cores run many at once.
    pub(crate) large_slots: Arc<Semaphore>,
    pub(crate) stats: RuntimeStats,
    pub(crate) capabilities: Arc<Capabilities>,
    pub(crate) kept_limits: Arc<KeptLimits>,
    /// How many instances requests may hold between their calls ([`super::held`]).
    pub(crate) holds: Arc<Semaphore>,
    /// Loaded components by binary, shared by the plugins that run the same one.
    pub(crate) components: SharedComponents,
}

impl std::fmt::Debug for HookRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookRuntime")
            .field("mode", &self.small.spec.mode)
            .finish()
    }
}

fn base_config() -> Config {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.memory_init_cow(true);
    // Component-model async (WASI 0.3) doubles the cost of every call; we do not use it.
    config.concurrency_support(false);
    config.wasm_component_model(true);
    config
}

/// Linear memory kept resident per slot of the large-guest engine: enough for an interpreter's
/// working set (the pages it reads from its image and the ones it writes), so that reusing a
/// slot faults on nothing. Only pages the guest wrote are reset, so a larger window costs no
/// time, only the memory the guests actually touched.
const LARGE_KEEP_RESIDENT_BYTES: usize = 32 * 1024 * 1024;

fn pooling_config(spec: &EngineSpec, tuned: bool) -> PoolingAllocationConfig {
    let n = spec.max_instances;
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(n)
        .total_core_instances(n * CORE_INSTANCES_PER_COMPONENT)
        .total_memories(n * MEMORIES_PER_COMPONENT)
        .total_tables(n * TABLES_PER_COMPONENT)
        .total_stacks(n)
        .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
        .max_memories_per_component(MEMORIES_PER_COMPONENT)
        .max_tables_per_component(TABLES_PER_COMPONENT)
        .table_elements(TABLE_ELEMENTS)
        .max_memory_size(spec.memory_bytes);
    let keep_resident = match spec.class {
        GuestClass::Small => KEEP_RESIDENT_BYTES,
        GuestClass::Large => {
            // Every slot used once keeps its memory resident, so the slots resident are the
            // peak of large instances at once plus these: 8 held ~50 MiB more than 2 after a
            // JavaScript and Python load, with no throughput gain measured.
            pool.max_unused_warm_slots(spec.large_warm_slots);
            LARGE_KEEP_RESIDENT_BYTES
        }
    };
    if tuned {
        pool.pagemap_scan(Enabled::Yes)
            .linear_memory_keep_resident(keep_resident)
            .table_keep_resident(KEEP_RESIDENT_BYTES);
    }
    pool
}

/// The engine configuration a spec describes. Public so that benchmarks can build a
/// bare-wasmtime baseline configured exactly like Hookline's engine.
pub fn engine_config(spec: &EngineSpec) -> Config {
    let mut config = base_config();
    if spec.mode != AllocationMode::OnDemand {
        let tuned = spec.mode == AllocationMode::PoolingTuned;
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config(
            spec, tuned,
        )));
    }
    config
}

fn build_engine(limits: &RuntimeLimits, class: GuestClass) -> anyhow::Result<(Engine, EngineSpec)> {
    for mode in [AllocationMode::PoolingTuned, AllocationMode::Pooling] {
        let spec = EngineSpec::new(limits, class, mode);
        match Engine::new(&engine_config(&spec)) {
            Ok(engine) => return Ok((engine, spec)),
            Err(e) => tracing::warn!(
                ?mode,
                error = %e,
                "instance pool unavailable, trying the next allocator"
            ),
        }
    }
    let spec = EngineSpec::new(limits, class, AllocationMode::OnDemand);
    let engine = Engine::new(&engine_config(&spec)).map_err(crate::runtime::to_anyhow)?;
    Ok((engine, spec))
}

/// Advances the epoch every `EPOCH_TICK` until the engine is dropped.
pub fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("hookline-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .expect("spawning the epoch ticker thread");
}

impl HookRuntime {
    /// Builds both engines and links every host interface once per engine.
    pub fn new(limits: RuntimeLimits, capabilities: Capabilities) -> anyhow::Result<Self> {
        let small = ClassEngine::new(&limits, GuestClass::Small)?;
        let large = ClassEngine::new(&limits, GuestClass::Large)?;
        std::fs::create_dir_all(&limits.artifact_dir)?;
        let limits_max = limits.max_instances;
        Ok(Self {
            slots: Arc::new(Semaphore::new(limits.max_instances as usize)),
            large_slots: Arc::new(Semaphore::new(limits.max_large_instances as usize)),
            small,
            large,
            limits,
            stats: RuntimeStats::default(),
            capabilities: Arc::new(capabilities),
            kept_limits: Arc::new(KeptLimits::new(limits_max)),
            holds: super::held::hold_budget(limits_max),
            components: SharedComponents::default(),
        })
    }

    /// The allocator of the small-guest engine (the large-guest one is configured alike).
    pub fn mode(&self) -> AllocationMode {
        self.small.spec.mode
    }

    pub(crate) fn class_engine(&self, class: GuestClass) -> &ClassEngine {
        match class {
            GuestClass::Small => &self.small,
            GuestClass::Large => &self.large,
        }
    }

    pub fn stats(&self) -> &RuntimeStats {
        &self.stats
    }

    pub fn limits(&self) -> &RuntimeLimits {
        &self.limits
    }

    /// The engine of a guest class.
    pub fn engine(&self, class: GuestClass) -> &Engine {
        &self.class_engine(class).engine
    }
}
