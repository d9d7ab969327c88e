//! A root module named like the v1 `PluginModule`, from a package named
//! like the v1 ABI crate, with the same version, whose fields differ: the
//! panic strategy is a `u32` instead of a `u8` and `create` is missing.

use abi_stable::{
    StableAbi, declare_root_module_statics, export_root_module,
    library::RootModule,
    prefix_type::PrefixTypeTrait,
    sabi_types::VersionStrings,
    std_types::{RResult, RSlice, RStr, RVec},
};

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
#[sabi(missing_field(panic))]
pub struct PluginModule {
    pub panic_strategy: u32,
    pub sdk_version: RStr<'static>,
    #[sabi(last_prefix_field)]
    pub call: extern "C" fn(method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, u32>,
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}
    const BASE_NAME: &'static str = "nipart_plugin";
    const NAME: &'static str = "nipart_plugin";
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("1.0.0");
}

extern "C" fn call(_method: RStr<'_>, _input: RSlice<'_, u8>) -> RResult<RVec<u8>, u32> {
    RResult::RErr(6)
}

#[export_root_module]
fn root_module() -> PluginModuleRef {
    PluginModule {
        panic_strategy: 0,
        sdk_version: RStr::from_str("0.0.0-layout-fixture"),
        call,
    }
    .leak_into_prefix()
}
