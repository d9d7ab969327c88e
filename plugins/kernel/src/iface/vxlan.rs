//! VXLAN interfaces: `id`, `base-iface`, `local` and `destination-port`
//! are set when the link is created (the `state` plugin refuses to change
//! them), `remote` and `learning` any time.

use std::net::IpAddr;

use nipart_plugin_api::{
    Result,
    state::{Interface, VxlanConfig},
};
use nispor::{IfaceConf, IfaceType, VxlanConf};

use super::{InterfaceKind, Queried};

pub(crate) struct Vxlan;

fn addr(s: &str) -> Option<IpAddr> {
    s.parse().ok().filter(|a: &IpAddr| !a.is_unspecified())
}

impl InterfaceKind for Vxlan {
    fn creates(&self) -> bool {
        true
    }

    fn reads_nispor(&self) -> bool {
        true
    }

    fn query(&self, q: &Queried, iface: &mut Interface) {
        let Some((np, _)) = q.nispor else {
            return;
        };
        iface.vxlan = np.vxlan.as_ref().map(|v| VxlanConfig {
            id: Some(v.vxlan_id),
            base_iface: (!v.base_iface.is_empty()).then(|| v.base_iface.clone()),
            remote: addr(&v.remote),
            local: addr(&v.local),
            destination_port: Some(v.dst_port),
            learning: Some(v.learning),
        });
    }

    fn conf(&self, want: &Interface, cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        conf.iface_type = Some(IfaceType::Vxlan);
        let Some(w) = &want.vxlan else { return Ok(()) };
        let h = cur.and_then(|c| c.vxlan.as_ref());
        let mut v = VxlanConf::default();
        match h {
            None => {
                v.vxlan_id = w.id;
                v.base_iface = w.base_iface.clone();
                v.local = w.local;
                v.dst_port = w.destination_port;
                v.remote = w.remote;
                v.learning = w.learning;
            }
            Some(h) => {
                // Only what changes: the kernel refuses the fixed ones,
                // even unchanged, on some versions.
                if w.remote.is_some() && w.remote != h.remote {
                    v.remote = w.remote;
                }
                if w.learning.is_some() && w.learning != h.learning {
                    v.learning = w.learning;
                }
            }
        }
        conf.vxlan = Some(v);
        Ok(())
    }
}
