build-land/runtime/trace_writer.o: runtime/trace_writer.c runtime/alloc.h \
 runtime/trace_writer.h runtime/status.h runtime/trace.h runtime/value.h \
 runtime/sbuf.h
runtime/alloc.h:
runtime/trace_writer.h:
runtime/status.h:
runtime/trace.h:
runtime/value.h:
runtime/sbuf.h:
