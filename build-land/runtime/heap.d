build-land/runtime/heap.o: runtime/heap.c runtime/alloc.h runtime/heap.h
runtime/alloc.h:
runtime/heap.h:
