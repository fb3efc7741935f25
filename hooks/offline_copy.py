"""MkDocs hook: what the offline copy (``make offline``) needs beyond Material's ``offline``
plugin, so that nothing in it comes from another host.

The plugin (on only when ``OFFLINE=true``, see mkdocs.yml) keeps search working on pages
opened from disk by running the search worker in an iframe, with iframe-worker's shim, which
it links from unpkg.com unless a shim is already named. This names the project's copy:
``vendor/iframe-worker/shim.js``, ``shim/index.js`` of the npm package iframe-worker 1.0.4
(MIT, by the author of Material), checked by its sha256 here, and published with the copy.
"""

import hashlib
from pathlib import Path

from mkdocs.plugins import event_priority

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "iframe-worker"
SHIM_SHA256 = "e8e412dbcfea9b7e31b5ffa288d7b6035915e714c542f4176a0cdbe262fc9609"
SITE_DIR = "assets/vendor/iframe-worker"


def _offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return plugin is not None and plugin.config.enabled


@event_priority(50)  # before the offline plugin's on_config, which adds unpkg's shim if none
def on_config(config):
    if _offline(config):
        from mkdocs.exceptions import PluginError

        shim = VENDOR / "shim.js"
        if hashlib.sha256(shim.read_bytes()).hexdigest() != SHIM_SHA256:
            raise PluginError(f"{shim} is not iframe-worker 1.0.4's shim/index.js")
        config.extra["polyfills"] = [*config.extra.get("polyfills", []),
                                     f"{SITE_DIR}/shim.js"]
    return config


def on_files(files, config):
    if _offline(config):
        from mkdocs.structure.files import File

        for name, site_name in (("shim.js", "shim.js"), ("LICENSE", "LICENSE.txt")):
            files.append(File.generated(config, f"{SITE_DIR}/{site_name}",
                                        abs_src_path=str(VENDOR / name)))
    return files
