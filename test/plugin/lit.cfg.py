# lit configuration for the ws plugin tests (see lit.site.cfg.py.in).
import os

import lit.formats

config.name = "ws-plugin"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".c", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py"]

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
# Tests that run programs use a small, fixed pool.
config.environment["WS_NUM_WORKERS"] = "2"

flags = "-fplugin=%s -I%s" % (config.ws_plugin, config.ws_include)
config.substitutions += [
    ("%ws_cc", "%s %s" % (config.ws_clang, flags)),
    ("%clang", config.ws_clang),
    ("%plugin", config.ws_plugin),
    ("%ws_rewrite", config.ws_rewrite),
    ("%wscc", config.ws_wscc),
    ("%ws_include", config.ws_include),
    ("%ws_libdir", config.ws_libdir),
    ("%python", config.python),
]
