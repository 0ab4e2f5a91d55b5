build-land/runtime/alloc.o: runtime/alloc.c runtime/alloc.h
runtime/alloc.h:
