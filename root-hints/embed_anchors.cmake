# Writes the root trust anchors file into a C++ source as a raw string (no ")TERN" marker in it).
file(READ "${IN}" text)
file(WRITE "${OUT}" "#include \"root-hints/compiled_trust_anchors.h\"\n"
  "namespace tern {\n"
  "std::string_view compiled_trust_anchors() {\n"
  "  static constexpr char text[] = R\"TERN(${text})TERN\";\n"
  "  return {text, sizeof(text) - 1};\n"
  "}\n"
  "}  // namespace tern\n")
