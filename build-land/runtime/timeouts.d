build-land/runtime/timeouts.o: runtime/timeouts.c runtime/internal.h \
 runtime/context.h runtime/heap.h runtime/stack.h runtime/status.h \
 runtime/task.h runtime/future.h runtime/loop.h runtime/trace.h \
 runtime/value.h runtime/sbuf.h runtime/alloc.h runtime/timeouts.h \
 runtime/combine.h
runtime/internal.h:
runtime/context.h:
runtime/heap.h:
runtime/stack.h:
runtime/status.h:
runtime/task.h:
runtime/future.h:
runtime/loop.h:
runtime/trace.h:
runtime/value.h:
runtime/sbuf.h:
runtime/alloc.h:
runtime/timeouts.h:
runtime/combine.h:
