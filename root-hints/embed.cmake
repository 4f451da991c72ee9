# Writes the root hints file into a C++ source as a raw string (the file holds no ")TERN" marker).
file(READ "${IN}" text)
file(WRITE "${OUT}" "#include \"root-hints/compiled_root_hints.h\"\n"
  "namespace tern {\n"
  "std::string_view compiled_root_hints() {\n"
  "  static constexpr char text[] = R\"TERN(${text})TERN\";\n"
  "  return {text, sizeof(text) - 1};\n"
  "}\n"
  "}  // namespace tern\n")
