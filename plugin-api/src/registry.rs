//! The registry of plugins in one library, and the library's export.
//!
//! Plugins register with [`register_plugin!`](crate::register_plugin) through
//! `inventory`, inside their own `.so` (every `.so` has its own copy of the
//! registry). [`export_plugins!`](crate::export_plugins) publishes that
//! registry as the library's abi_stable root module, so one `.so` may carry
//! several plugins.

use std::panic::{AssertUnwindSafe, catch_unwind};

use abi_stable::{
    prefix_type::PrefixTypeTrait,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};
use nipart_plugin_abi::{FfiError, PluginBox, PluginDescriptor, PluginModule, PluginModuleRef};

use crate::{Error, ErrorKind, Plugin, Result, adapter};

/// One registered plugin type. Made by [`register_plugin!`](crate::register_plugin).
pub struct PluginRegistration {
    name: &'static str,
    version: &'static str,
    description: &'static str,
    roles: &'static [&'static str],
    subscriptions: &'static [&'static str],
    config_keys: &'static [(&'static str, nipart_protocol::daemon::ConfigType)],
    reads_no_config: bool,
    create: fn() -> Result<PluginBox>,
}

impl PluginRegistration {
    #[doc(hidden)]
    pub const fn of<P: Plugin>(version: &'static str) -> Self {
        Self {
            name: P::NAME,
            version,
            description: P::DESCRIPTION,
            roles: P::ROLES,
            subscriptions: P::SUBSCRIPTIONS,
            config_keys: P::CONFIG_KEYS,
            reads_no_config: P::READS_NO_CONFIG,
            create: adapter::create::<P>,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The version of the crate that registered the plugin.
    pub fn version(&self) -> &'static str {
        self.version
    }

    pub fn description(&self) -> &'static str {
        self.description
    }

    pub fn roles(&self) -> &'static [&'static str] {
        self.roles
    }

    pub fn subscriptions(&self) -> &'static [&'static str] {
        self.subscriptions
    }

    /// The descriptor's JSON metadata ([`PluginMetadata`](nipart_protocol::daemon::PluginMetadata)).
    fn metadata(&self) -> String {
        let meta = nipart_protocol::daemon::PluginMetadata {
            config_keys: (self.reads_no_config || !self.config_keys.is_empty()).then(|| {
                self.config_keys
                    .iter()
                    .map(|(k, t)| (k.to_string(), *t))
                    .collect()
            }),
        };
        serde_json::to_string(&meta).unwrap_or_else(|_| "{}".to_string())
    }

    fn descriptor(&self) -> PluginDescriptor {
        let strings = |v: &[&str]| v.iter().map(|s| RString::from(*s)).collect::<RVec<_>>();
        PluginDescriptor {
            name: self.name.into(),
            version: self.version.into(),
            description: self.description.into(),
            roles: strings(self.roles),
            subscriptions: strings(self.subscriptions),
            metadata: self.metadata().into(),
        }
    }
}

inventory::collect!(PluginRegistration);

/// Every plugin registered in this binary or library, sorted by name.
pub fn registered() -> Vec<&'static PluginRegistration> {
    let mut all: Vec<_> = inventory::iter::<PluginRegistration>.into_iter().collect();
    all.sort_by_key(|r| r.name);
    all
}

extern "C" fn module_plugins() -> RVec<PluginDescriptor> {
    // Building descriptors does not panic; if it ever did, the library simply
    // appears to hold no plugin rather than aborting the daemon.
    catch_unwind(|| registered().iter().map(|r| r.descriptor()).collect()).unwrap_or_default()
}

extern "C" fn module_create(name: RStr<'_>) -> RResult<PluginBox, FfiError> {
    let name = name.as_str();
    let Some(reg) = registered().into_iter().find(|r| r.name == name) else {
        return RResult::RErr(
            Error::new(
                ErrorKind::NotFound,
                format!("no plugin named {name:?} in this library"),
            )
            .into(),
        );
    };
    match catch_unwind(AssertUnwindSafe(reg.create)) {
        Ok(Ok(plugin)) => RResult::ROk(plugin),
        Ok(Err(e)) => RResult::RErr(e.into()),
        Err(p) => RResult::RErr(Error::from_panic("Plugin::new", p.as_ref()).into()),
    }
}

extern "C" fn module_call(method: RStr<'_>, _input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError> {
    RResult::RErr(
        Error::new(
            ErrorKind::Unsupported,
            format!(
                "this plugin library does not provide method {:?}",
                method.as_str()
            ),
        )
        .into(),
    )
}

#[doc(hidden)]
pub fn root_module(panic_strategy: u8) -> PluginModuleRef {
    PluginModule {
        panic_strategy,
        sdk_version: RStr::from_str(env!("CARGO_PKG_VERSION")),
        plugins: module_plugins,
        create: module_create,
        call: module_call,
    }
    .leak_into_prefix()
}

/// Registers a type implementing [`Plugin`](crate::Plugin) in this library:
/// `nipart_plugin_api::register_plugin!(MyPlugin);` at the crate's top level
/// (see the crate docs for a whole plugin). May be used for several types.
#[macro_export]
macro_rules! register_plugin {
    ($ty:ty) => {
        $crate::__private::inventory::submit! {
            $crate::PluginRegistration::of::<$ty>(env!("CARGO_PKG_VERSION"))
        }
    };
}

/// Exports every plugin registered in this library: invoke once, at the root
/// of a `cdylib` crate. It also records whether the library was built with
/// `panic = "abort"` (the daemon refuses such libraries, since a panic in
/// them could not be contained).
#[macro_export]
macro_rules! export_plugins {
    () => {
        // abi_stable's root module loader symbol; the SDK's tests check that
        // the name matches `nipart_plugin_abi::ROOT_MODULE_SYMBOL`.
        #[doc(hidden)]
        #[unsafe(export_name = "_1as_0lib_1header_0root_bmodule_bloader")]
        pub static NIPART_PLUGIN_ROOT_MODULE: $crate::__private::LibHeader = {
            extern "C" fn nipart_root_module_loader() -> $crate::__private::RootModuleResult {
                $crate::__private::call_root_module_loader(nipart_root_module)
            }
            fn nipart_root_module() -> $crate::__private::PluginModuleRef {
                $crate::__private::root_module(if cfg!(panic = "abort") {
                    $crate::__private::PANIC_ABORT
                } else {
                    $crate::__private::PANIC_UNWIND
                })
            }
            // SAFETY: the constructor returns the module type named here.
            unsafe {
                $crate::__private::LibHeader::from_constructor::<$crate::__private::PluginModuleRef>(
                    nipart_root_module_loader,
                    $crate::__private::CheckTypeLayout::Yes,
                )
            }
        };
    };
}
