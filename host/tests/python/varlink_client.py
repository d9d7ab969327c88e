"""Talks to nipartd with the `varlink` package from PyPI (a client nobody
here wrote): parses every interface description, calls Ping and Info, and
reads an error. Prints one JSON object with what it saw. Argument: socket."""
import json
import sys

import varlink

address = "unix:" + sys.argv[1]
out = {}
with varlink.Client(address=address) as client:
    info = client.get_interfaces()
    out["interfaces"] = sorted(info)
    out["parsed"] = {}
    for name in info:
        iface = client.get_interface(name)  # parses the IDL
        out["parsed"][name] = sorted(iface.members.keys())
    with client.open("io.nipart.Daemon", namespaced=True) as daemon:
        out["ping"] = daemon.Ping()
        reply = daemon.Info()
        out["info"] = {k: getattr(reply, k) for k in ("version", "abi_version", "plugin_dir", "socket")}
    with client.open("io.nipart.Network", namespaced=True) as network:
        try:
            network.Show()
            out["show_error"] = None
        except varlink.VarlinkError as e:
            out["show_error"] = [e.error(), e.parameters()]
print(json.dumps(out, default=str))
