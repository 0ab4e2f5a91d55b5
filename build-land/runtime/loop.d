build-land/runtime/loop.o: runtime/loop.c runtime/internal.h \
 runtime/context.h runtime/heap.h runtime/stack.h runtime/status.h \
 runtime/task.h runtime/future.h runtime/loop.h runtime/trace.h \
 runtime/value.h runtime/sbuf.h runtime/alloc.h
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
