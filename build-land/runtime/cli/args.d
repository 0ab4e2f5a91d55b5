build-land/runtime/cli/args.o: runtime/cli/args.c runtime/alloc.h \
 runtime/cli/cli.h
runtime/alloc.h:
runtime/cli/cli.h:
