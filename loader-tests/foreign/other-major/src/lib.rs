//! The root module of a hypothetical plugin ABI 2.0.0. The daemon checks
//! the version strings before the layout, so the fields don't matter.

use abi_stable::{
    StableAbi, declare_root_module_statics, export_root_module, library::RootModule,
    prefix_type::PrefixTypeTrait, sabi_types::VersionStrings, std_types::RStr,
};

#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
#[sabi(missing_field(panic))]
pub struct PluginModule {
    #[sabi(last_prefix_field)]
    pub sdk_version: RStr<'static>,
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}
    const BASE_NAME: &'static str = "nipart_plugin";
    const NAME: &'static str = "nipart_plugin";
    const VERSION_STRINGS: VersionStrings = VersionStrings::new("2.0.0");
}

#[export_root_module]
fn root_module() -> PluginModuleRef {
    PluginModule {
        sdk_version: RStr::from_str("2.0.0-other-major-fixture"),
    }
    .leak_into_prefix()
}
