build-land/runtime/model/tm_load.o: runtime/model/tm_load.c \
 runtime/alloc.h runtime/model/tm_internal.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/model/tm_internal.h:
runtime/model/trace_model.h:
