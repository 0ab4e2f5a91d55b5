build-land/runtime/stack.o: runtime/stack.c runtime/alloc.h \
 runtime/stack.h runtime/status.h
runtime/alloc.h:
runtime/stack.h:
runtime/status.h:
