#!/usr/bin/env python3
"""Generates libocispec's C types and descriptor tables from the OCI JSON schemas.

The output is data, not code: for every JSON object in the schemas one C struct
and one table that tells the hand-written runtime in ocispec.c where each
property lives in the struct and which constraints (enum, pattern, integer
range, minItems, required) it carries. Keeping the logic out of the generated
files keeps them small, and parsing and validation are tested once.

    python3 generate.py --schemas DIR --output-dir DIR

writes ocispec-types.h and ocispec-types.c. Anything in the schemas that this
script does not understand stops it with an error rather than being dropped.
"""

import argparse
import dataclasses
import json
import os
import re
import sys

# Root documents: schema file -> C type name. `process` is a root too (the
# process.json of `exec --process`); it is reached through the config.
ROOT_FILES = {
    "config-schema.json": "ocispec_config",
    "state-schema.json": "ocispec_state",
    "features-schema.json": "ocispec_features",
    "runtime-state-schema.json": "ocispec_runtime_state",
    # after state-schema.json, whose root it refers to
    "container-process-state-schema.json": "ocispec_container_process_state",
}
ROOTS = ["config", "process", "state", "features", "runtime_state", "container_process_state"]

# Platforms ocirun does not run on: ignored like unknown properties (their
# schema files are not even shipped).
SKIP = {"ocispec_config": {"solaris", "windows", "vm", "zos", "freebsd"}}

# Values runc accepts beyond a schema's enum (schema file#JSON pointer ->
# the extra values): ocirun accepts them too, so that a config that runs
# with runc runs here. Each one must still name a place that has an enum.
EXTRA_ENUM = {
    "defs-linux.json#/definitions/RootfsPropagation":
        ["rprivate", "rshared", "rslave", "runbindable"],
}
EXTRA_ENUM_USED = set()

# Integer ranges runc accepts beyond a schema's (schema file#JSON pointer ->
# (minimum, maximum)), for the same reason. A device's fileMode is a whole
# st_mode for runc and the engines: podman and Docker send S_IFCHR|0666,
# not 0666; devices.c checks that any type bits agree with the type.
WIDER_RANGE = {
    "defs.json#/definitions/FileMode": (0, 2**32 - 1),
}
WIDER_RANGE_USED = set()

# The schema keywords understood here; any other one stops the build.
KEYWORDS = {"$schema", "$ref", "description", "type", "properties", "required", "items",
            "minItems", "enum", "pattern", "minimum", "maximum", "allOf", "anyOf",
            "patternProperties", "additionalProperties", "definitions"}

INT32, UINT32, INT64 = (-(2**31), 2**31 - 1), (0, 2**32 - 1), (-(2**63), 2**63 - 1)
UINT64_MAX = 2**64 - 1

# Names that ocispec.h declares by hand, and C keywords, cannot be generated.
RESERVED = {"ocispec_type", "ocispec_field", "ocispec_kind", "ocispec_string_map", "ocispec_parse",
            "ocispec_parse_file", "ocispec_generate", "ocispec_free", "ocispec_strv_append",
            "ocispec_string_map_set", "ocispec_string_map_get", "ocispec_string_map_free"}
C_KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static
struct switch typedef union unsigned void volatile while bool""".split())


def fail(msg):
    sys.exit("generate.py: " + msg)


def snake(name):
    """uidMappings -> uid_mappings, disableOOMKiller -> disable_oom_killer."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.replace("-", "_").lower()


def c_string(s):
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}
    return '"' + "".join(escapes.get(c) or (c if " " <= c <= "~" else "\\%03o" % ord(c))
                         for c in s) + '"'


def posix_regex(ecma):
    """Translates an ECMA-262 pattern of the schemas to a POSIX extended regex.

    Only what the two dialects share gets through: a pattern with anything
    else (lookarounds, lazy quantifiers, \\b, ...) stops the build, because a
    silently different regex would accept what the schema forbids."""
    classes = {"d": "0-9", "w": "A-Za-z0-9_", "s": " \t\n\r\f\v",
               "n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
    out, i, in_bracket = [], 0, False
    while i < len(ecma):
        c, nxt = ecma[i], ecma[i + 1:i + 2]
        i += 1
        if c == "\\":
            i += 1
            if nxt in classes:
                # POSIX brackets know no escapes: put the characters themselves.
                out.append(classes[nxt] if in_bracket else "[" + classes[nxt] + "]")
            elif nxt and not nxt.isalnum() and not in_bracket:
                out.append("\\" + nxt)
            elif nxt and not nxt.isalnum() and nxt not in "\\]^-[":
                out.append(nxt)
            else:
                fail("pattern %r: escape \\%s has no POSIX equivalent here" % (ecma, nxt))
        elif in_bracket:
            if c == "[" and nxt in (":", ".", "="):
                fail("pattern %r: '[%s' starts a POSIX class inside brackets" % (ecma, nxt))
            in_bracket = c != "]"
            out.append(c)
        elif c == "[":
            in_bracket = True
            out.append(c)
            if nxt == "^":
                out.append(nxt)
                i += 1
            if ecma[i:i + 1] == "]":
                fail("pattern %r: a ']' first in brackets differs between dialects" % ecma)
        elif c == ".":
            out.append("[^\n\r]")  # ECMA's dot stops at line ends, POSIX's does not
        elif (c == "(" and nxt == "?") or (c in "*+?}" and nxt == "?"):
            fail("pattern %r: (?...) and lazy quantifiers have no POSIX equivalent" % ecma)
        else:
            out.append(c)
    if in_bracket:
        fail("pattern %r: unterminated bracket" % ecma)
    return "".join(out)


@dataclasses.dataclass
class Field:
    key: str
    kind: str = None  # string, bool, int, object, string_map, object_map
    is_array: bool = False
    ctype: str = None  # of integers
    min: int = None
    max: int = None
    enum: list = None
    pattern: tuple = None  # (ECMA source, POSIX translation)
    min_items: int = 0
    required: bool = False
    type: str = None  # the struct of objects, object array items, object map values

    @property
    def cname(self):
        return snake(self.key)


@dataclasses.dataclass
class Struct:
    name: str
    origin: str
    fields: list = dataclasses.field(default_factory=list)


class Generator:
    def __init__(self, schema_dir):
        self.schema_dir = schema_dir
        self.files = {}
        self.structs = {}  # name -> Struct, in discovery order
        self.by_origin = {}  # "file#pointer" -> struct name
        self.object_maps = []  # structs that need an ocispec_X_map

    def load(self, fname):
        if fname not in self.files:
            try:
                with open(os.path.join(self.schema_dir, fname)) as f:
                    self.files[fname] = json.load(f)
            except (OSError, ValueError) as e:
                fail("%s: %s" % (fname, e))
        return self.files[fname]

    def resolve(self, fname, pointer, schema):
        """Follows $ref chains: (file, pointer, schema, definition name or None)."""
        defname, seen = None, set()
        while "$ref" in schema:  # draft 4: a $ref replaces its siblings
            ref = schema["$ref"]
            if ref in seen:
                fail("%s#%s: $ref loop through %s" % (fname, pointer, ref))
            seen.add(ref)
            target, _, pointer = ref.partition("#")
            fname, schema = target or fname, self.load(target or fname)
            pointer = "/" + pointer.lstrip("/")  # defs.json has a "#definitions/uint32"
            if pointer == "/":  # a whole file: the origin its root struct has
                pointer = ""
            for part in filter(None, pointer.split("/")):
                if not isinstance(schema, dict) or part not in schema:
                    fail("unresolvable $ref %r" % ref)
                schema = schema[part]
            m = re.fullmatch(r"/definitions/(\w+)", pointer)
            defname = m and m.group(1)
        if not isinstance(schema, dict) or set(schema) - KEYWORDS:
            fail("%s#%s: unsupported keywords %s" % (fname, pointer, sorted(set(schema) - KEYWORDS)))
        if "anyOf" in schema:
            if len(schema["anyOf"]) != 1 or len(schema) > 1:
                fail("%s#%s: only a lone single-item anyOf is supported" % (fname, pointer))
            return self.resolve(fname, pointer + "/anyOf/0", schema["anyOf"][0])
        return fname, pointer, schema, defname

    def struct(self, fname, pointer, schema, defname, suggested):
        origin = "%s#%s" % (fname, pointer)
        if origin in self.by_origin:
            return self.by_origin[origin]
        name = "ocispec_" + snake(defname) if defname else suggested
        if name in self.structs:
            fail("%s and %s would both be named %s" % (self.structs[name].origin, origin, name))
        st = self.structs[name] = Struct(name, origin)
        self.by_origin[origin] = name
        # allOf merges the properties and the required lists of its branches.
        parts = [(fname, pointer, schema)]
        for i, sub in enumerate(schema.get("allOf", [])):
            parts.append(self.resolve(fname, "%s/allOf/%d" % (pointer, i), sub)[:3])
        props, required = [], set()
        for f, p, s in parts:
            if "allOf" in s and s is not schema:
                fail("%s#%s: nested allOf is not supported" % (f, p))
            required.update(s.get("required", []))
            props += [(key, f, "%s/properties/%s" % (p, key), sub)
                      for key, sub in s.get("properties", {}).items()]
        # Children of the config drop its prefix: ocispec_process, ocispec_linux.
        prefix = "ocispec" if name == "ocispec_config" else name
        members = set()
        for key, f, p, sub in props:
            if key in SKIP.get(name, ()):
                continue
            fl = self.field(key, f, p, sub, prefix + "_" + snake(key))
            fl.required = key in required
            if fl.cname in C_KEYWORDS:
                fail("%s: property %s is a C keyword" % (origin, key))
            for m in (fl.cname, "has_" + fl.cname, fl.cname + "_len"):
                if m in members:
                    fail("%s: property %s makes the member %s collide" % (origin, key, m))
                members.add(m)
            st.fields.append(fl)
        undefined = required - {p[0] for p in props}
        if undefined:
            fail("%s: required %s are not defined" % (origin, sorted(undefined)))
        return name

    def field(self, key, fname, pointer, schema, suggested):
        fl = Field(key)
        af, ap, array, _ = self.resolve(fname, pointer, schema)
        if array.get("type") != "array":
            self.value(fl, fname, pointer, schema, suggested)
            return fl
        if "items" not in array:
            fail("%s#%s: array without items" % (af, ap))
        fl.is_array, fl.min_items = True, array.get("minItems", 0)
        # The items of "rlimits" are ocispec_process_rlimit.
        self.value(fl, af, ap + "/items", array["items"], re.sub("s$", "", suggested))
        if fl.kind in ("string_map", "object_map"):
            fail("%s#%s: arrays of maps are not supported" % (af, ap))
        return fl

    def value(self, fl, fname, pointer, schema, suggested):
        fname, pointer, schema, defname = self.resolve(fname, pointer, schema)
        where = "%s#%s" % (fname, pointer)
        t = schema.get("type", "object" if "allOf" in schema or "properties" in schema else None)
        if t == "string":
            fl.kind, fl.enum = "string", schema.get("enum")
            if where in EXTRA_ENUM:
                if not fl.enum:
                    fail("%s: EXTRA_ENUM names a place without an enum" % where)
                fl.enum = fl.enum + EXTRA_ENUM[where]
                EXTRA_ENUM_USED.add(where)
            if "pattern" in schema:
                fl.pattern = (schema["pattern"], posix_regex(schema["pattern"]))
        elif t == "boolean":
            fl.kind = "bool"
        elif t == "integer":
            fl.kind = "int"
            lo, hi = schema.get("minimum"), schema.get("maximum")
            if where in WIDER_RANGE:
                if lo is None or hi is None:
                    fail("%s: WIDER_RANGE names a place without a range" % where)
                lo, hi = min(lo, WIDER_RANGE[where][0]), max(hi, WIDER_RANGE[where][1])
                WIDER_RANGE_USED.add(where)
            self.integer(fl, lo, hi, where)
        elif t == "object" and ("properties" in schema or "allOf" in schema):
            fl.kind, fl.type = "object", self.struct(fname, pointer, schema, defname, suggested)
        elif t == "object":
            # A map: the one value schema of patternProperties or additionalProperties.
            values = list(schema.get("patternProperties", {}).items())
            values += [("additionalProperties", schema["additionalProperties"])] \
                if "additionalProperties" in schema else []
            if len(values) != 1:
                fail("%s: an object needs properties or one value schema" % where)
            vf, vp, vs, vdef = self.resolve(fname, "%s/%s" % (pointer, values[0][0]), values[0][1])
            if vs.get("type") == "string" and set(vs) <= {"type", "description"}:
                fl.kind = "string_map"
            elif vs.get("type") == "object" and "properties" in vs:
                fl.kind, fl.type = "object_map", self.struct(vf, vp, vs, vdef, suggested + "_value")
                if fl.type not in self.object_maps:
                    self.object_maps.append(fl.type)
            else:
                fail("%s: unsupported map value schema" % where)
        else:
            fail("%s: unsupported schema type %r" % (where, t))

    @staticmethod
    def integer(fl, lo, hi, where):
        """Picks the C type from the range; checks use the schema's exact bounds."""
        if hi is not None and hi > INT64[1]:
            fl.ctype, bounds = "uint64_t", (0, UINT64_MAX)
        elif lo is not None and hi is not None and INT32[0] <= lo and hi <= INT32[1]:
            fl.ctype, bounds = "int32_t", INT32
        elif lo is not None and hi is not None and UINT32[0] <= lo and hi <= UINT32[1]:
            fl.ctype, bounds = "uint32_t", UINT32
        else:
            fl.ctype, bounds = "int64_t", INT64
        fl.min = bounds[0] if lo is None else lo
        fl.max = bounds[1] if hi is None else hi
        # The runtime holds the range as int64_t min and uint64_t max.
        if not (bounds[0] <= fl.min <= fl.max <= bounds[1]) or fl.max < 0:
            fail("%s: range %d..%d does not fit %s" % (where, fl.min, fl.max, fl.ctype))

    def run(self):
        for fname, name in ROOT_FILES.items():
            self.struct(fname, "", self.load(fname), None, name)
        for root in ROOTS:
            if "ocispec_" + root not in self.structs:
                fail("root type ocispec_%s was not generated" % root)
        names = list(self.structs) + [n + "_map" for n in self.object_maps]
        names += [n + "_type" for n in self.structs]
        names += ["ocispec_%s_%s" % (r, f) for r in ROOTS for f in WRAPPER_NAMES]
        dups = set(n for n in names if names.count(n) > 1) | (set(names) & RESERVED)
        if dups:
            fail("generated C names collide: %s" % ", ".join(sorted(dups)))


# ---- C output --------------------------------------------------------------

BANNER = "/* Generated by libocispec/generate.py from libocispec/schemas: do not edit. */\n"
KINDS = {"string": "STRING", "bool": "BOOL", "object": "OBJECT", "string_map": "STRING_MAP",
         "object_map": "OBJECT_MAP", "int32_t": "INT32", "uint32_t": "UINT32", "int64_t": "INT64",
         "uint64_t": "UINT64"}
WRAPPER_NAMES = ["parse_data", "parse_file", "generate", "free", "freep"]

# The typed wrappers only convert pointers: ocispec.c does the work.
PROTOTYPES = """
int @T@_parse_data(const char *data, size_t len, const char *source, @T@ **ret, char **ret_error)
int @T@_parse_file(const char *path, const char *source, @T@ **ret, char **ret_error)
int @T@_generate(const @T@ *doc, unsigned flags, char **ret_json, size_t *ret_len, char **ret_error)
void @T@_free(@T@ *doc)
void @T@_freep(@T@ **doc)"""
BODIES = [
    "        void *doc;\n        int r = ocispec_parse(&@T@_type, data, len, source, &doc, ret_error);\n"
    "        if (r == 0)\n                *ret = doc;\n        return r;\n",
    "        void *doc;\n        int r = ocispec_parse_file(&@T@_type, path, source, &doc, ret_error);\n"
    "        if (r == 0)\n                *ret = doc;\n        return r;\n",
    "        return ocispec_generate(&@T@_type, doc, flags, ret_json, ret_len, ret_error);\n",
    "        ocispec_free(&@T@_type, doc);\n",
    "        ocispec_free(&@T@_type, *doc);\n        *doc = NULL;\n",
]


def member_lines(fl):
    if fl.kind in ("object", "object_map"):
        base = fl.type + (" " if fl.is_array else "_map *" if fl.kind == "object_map" else " *")
    else:
        base = {"string": "char *", "bool": "bool ", "int": "%s " % fl.ctype,
                "string_map": "ocispec_string_map *"}[fl.kind]
    if fl.is_array:
        return ["%s*%s;" % (base, fl.cname), "size_t %s_len;" % fl.cname]
    if fl.kind in ("bool", "int"):
        return ["%s%s;" % (base, fl.cname), "bool has_%s;" % fl.cname]
    return ["%s%s;" % (base, fl.cname)]


def emit_header(gen):
    out = [BANNER, "/* The C shape of every OCI document; include ocispec.h, not this file. */\n",
           "#ifndef OCISPEC_TYPES_H\n#define OCISPEC_TYPES_H\n\n",
           "#ifndef OCISPEC_H\n#error \"include ocispec.h instead of ocispec-types.h\"\n#endif\n\n"]
    out += ["typedef struct %s %s;\n" % (n, n) for n in gen.structs]
    out += ["typedef struct %s_map %s_map;\n" % (n, n) for n in gen.object_maps]
    for name in gen.object_maps:
        out.append("\n/* Keys and values in document order. */\nstruct %s_map {\n"
                   "        size_t len;\n        char **keys;\n        %s *values;\n};\n"
                   % (name, name))
    for st in gen.structs.values():
        out.append("\n/* %s */\nstruct %s {\n" % (st.origin, st.name))
        out += ["        %s\n" % line for fl in st.fields for line in member_lines(fl)]
        out.append("};\n" if st.fields else "        char unused;\n};\n")
    out.append("\n")
    out += ["extern const ocispec_type %s_type;\n" % n for n in gen.structs]
    for r in ROOTS:
        out.append(PROTOTYPES.replace("@T@", "ocispec_" + r).replace(")\n", ");\n") + ";\n")
    out.append("\n#endif\n")
    return "".join(out)


def int_literal(v, signed):
    special = {INT64[0]: "INT64_MIN", UINT64_MAX: "UINT64_MAX"}
    return special.get(v) or ("INT64_C(%d)" if signed else "UINT64_C(%d)") % v


def field_initializer(st, fl):
    attrs = [".name = " + c_string(fl.key), ".kind = OCISPEC_KIND_" + KINDS[fl.ctype or fl.kind],
             ".offset = offsetof(%s, %s)" % (st.name, fl.cname)]
    if fl.is_array:
        attrs += [".is_array = true", ".aux_offset = offsetof(%s, %s_len)" % (st.name, fl.cname)]
    elif fl.kind in ("bool", "int"):
        attrs.append(".aux_offset = offsetof(%s, has_%s)" % (st.name, fl.cname))
    attrs += [".min_items = %d" % fl.min_items] if fl.min_items else []
    attrs += [".required = true"] if fl.required else []
    attrs += [".type = &%s_type" % fl.type] if fl.type else []
    attrs += [".enum_values = %s_%s_enum" % (st.name, fl.cname)] if fl.enum else []
    if fl.pattern:
        attrs += [".pattern_source = " + c_string(fl.pattern[0]),
                  ".pattern = " + c_string(fl.pattern[1])]
    if fl.kind == "int":
        attrs += [".min = " + int_literal(fl.min, True), ".max = " + int_literal(fl.max, False)]
    return "        {" + ", ".join(attrs) + "},\n"


def emit_source(gen):
    out = [BANNER, "/* Descriptor tables and typed wrappers for the generic runtime in ocispec.c. */\n",
           "#include <stddef.h>\n#include <stdint.h>\n\n#include \"ocispec.h\"\n\n"]
    for name in gen.object_maps:
        # ocispec.c handles every object map through ocispec_string_map's layout.
        out += ["_Static_assert(offsetof(%s_map, %s) == offsetof(ocispec_string_map, %s), "
                "\"map layout\");\n" % (name, m, m) for m in ("len", "keys", "values")]
    for st in gen.structs.values():
        out.append("\n")
        out += ["static const char *const %s_%s_enum[] = {%s, NULL};\n"
                % (st.name, fl.cname, ", ".join(c_string(e) for e in fl.enum))
                for fl in st.fields if fl.enum]
        out.append("static const ocispec_field %s_fields[] = {\n" % st.name)
        out += [field_initializer(st, fl) for fl in st.fields]
        out.append("};\nconst ocispec_type %s_type = {%s, sizeof(%s), %s_fields, %d};\n"
                   % (st.name, c_string(st.name), st.name, st.name, len(st.fields)))
    for r in ROOTS:
        for proto, body in zip(PROTOTYPES.strip().split("\n"), BODIES):
            out.append(("\n%s\n{\n%s}\n" % (proto, body)).replace("@T@", "ocispec_" + r))
    return "".join(out)


def write_if_changed(path, text):
    # Unchanged output keeps its timestamp, so make does not rebuild the world.
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schemas", required=True, help="directory of the JSON schemas")
    ap.add_argument("--output-dir", required=True, help="where ocispec-types.[ch] go")
    args = ap.parse_args()
    gen = Generator(args.schemas)
    gen.run()
    for where in set(EXTRA_ENUM) - EXTRA_ENUM_USED:
        fail("EXTRA_ENUM: %s is not in the schemas" % where)
    for where in set(WIDER_RANGE) - WIDER_RANGE_USED:
        fail("WIDER_RANGE: %s is not in the schemas" % where)
    write_if_changed(os.path.join(args.output_dir, "ocispec-types.h"), emit_header(gen))
    write_if_changed(os.path.join(args.output_dir, "ocispec-types.c"), emit_source(gen))


if __name__ == "__main__":
    main()
