// Included first in every C++ file of the tsan preset (-include, cmake/JgHelpers.cmake) and
// nowhere else.
//
// protobuf 3.21's map_field.h gives MapFieldBase two extra members (seq1_, seq2_, its own
// const/mutable race check) when __SANITIZE_THREAD__ is defined, as it is under
// -fsanitize=thread. Debian's libprotobuf is built without it, so our files and the library
// disagreed on the layout of every map field: our inline code read a google.protobuf.Struct
// that libprotobuf's JSON parser had filled at the wrong offset and crashed
// (sampling_vectors_test: SEGV in Map<std::string, Value>::begin), and libprotobuf's
// reflection (JSON, text format) would do the same to our messages' maps. Including the
// header here once, with the macro hidden, fixes the layout to the library's; nothing else in
// protobuf's headers depends on the macro. ThreadSanitizer itself is unaffected: it
// instruments our code whatever the macro says.
#pragma once

#pragma push_macro("__SANITIZE_THREAD__")
#undef __SANITIZE_THREAD__
#include <google/protobuf/map_field.h>
#pragma pop_macro("__SANITIZE_THREAD__")
