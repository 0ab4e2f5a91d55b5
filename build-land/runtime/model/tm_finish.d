build-land/runtime/model/tm_finish.o: runtime/model/tm_finish.c \
 runtime/alloc.h runtime/model/tm_internal.h runtime/model/trace_model.h
runtime/alloc.h:
runtime/model/tm_internal.h:
runtime/model/trace_model.h:
