build-land/runtime/context.o: runtime/context.c runtime/context.h
runtime/context.h:
